"""Allow ``python -m coursekit``."""

from coursekit.cli import main

raise SystemExit(main())
