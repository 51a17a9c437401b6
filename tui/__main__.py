"""`python -m tui` runs the same entry point as the `switchboard` script."""

from tui.cli import main

raise SystemExit(main())
