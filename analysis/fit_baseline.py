#!/usr/bin/python3
"""Compare a baseline run with the observed figures of the corridor.
The command line and names of migrasim.fit, kept here for existing command
lines and imports; see `python3 -m migrasim.fit --help`."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from migrasim.fit import *  # noqa: E402,F401,F403
from migrasim.fit import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
