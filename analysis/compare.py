#!/usr/bin/python3
"""Compare migrasim scenario runs against a baseline.
The command line and names of migrasim.compare, kept here for existing command
lines and imports; see `python3 -m migrasim.compare --help`."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from migrasim.compare import *  # noqa: E402,F401,F403
from migrasim.compare import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
