#!/usr/bin/python3
"""Do two sets of runs agree in distribution?
The command line and names of migrasim.equivalence, kept here for existing command
lines and imports; see `python3 -m migrasim.equivalence --help`."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from migrasim.equivalence import *  # noqa: E402,F401,F403
from migrasim.equivalence import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
