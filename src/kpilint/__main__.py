"""Allow ``python -m kpilint``."""

from kpilint.cli import run

run()
