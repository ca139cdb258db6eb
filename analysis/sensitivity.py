#!/usr/bin/python3
"""Sensitivity indices from a migrasim sweep file.
The command line and names of migrasim.sensitivity, kept here for existing command
lines and imports; see `python3 -m migrasim.sensitivity --help`."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from migrasim.sensitivity import *  # noqa: E402,F401,F403
from migrasim.sensitivity import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
