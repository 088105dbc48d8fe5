"""Allow ``python -m kpilint``."""

from kpilint.cli import main

raise SystemExit(main())
