"""Allow ``python -m kpilint``."""

from kpilint.console import run

run()
