"""The ``kpilint`` command: :func:`kpilint.cli.run`, and an interrupt while kpilint itself is
still being imported ends the run as one later does, with one line and no traceback."""

import os
import sys
from typing import NoReturn


def run() -> NoReturn:
    try:
        from kpilint.cli import run as run_command
    except KeyboardInterrupt:
        sys.stderr.write("kpilint: interrupted\n")
        sys.stderr.flush()
        os._exit(2)  # the command's EXIT_ERROR
    run_command()
