"""The frozen application's entry point (PyInstaller): the installed package's main().

`freeze_support()` first: a full verify checks signatures in a helper process started
with ``spawn`` (store.sigcheck), which runs this same executable; without it the helper
would start a second copy of the program instead of checking."""

import multiprocessing

multiprocessing.freeze_support()

from infoshare_desktop.app import main  # noqa: E402  (after freeze_support, as it must be)

raise SystemExit(main())
