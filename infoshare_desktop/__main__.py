"""`python -m infoshare_desktop` starts the application (same as `infoshare-desktop`)."""

from infoshare_desktop.app import main

raise SystemExit(main())
