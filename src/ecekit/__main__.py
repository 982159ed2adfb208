"""``python -m ecekit``: the CLI, where no console script is on PATH (a bare venv, a child process)."""

import sys

from ecekit.cli import main

if __name__ == "__main__":
    sys.exit(main())
