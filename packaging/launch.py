"""The frozen application's entry point (PyInstaller): the installed package's main()."""

from infoshare_desktop.app import main

raise SystemExit(main())
