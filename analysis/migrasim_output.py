#!/usr/bin/python3
"""Reading migrasim run files and window totals: the command line of
migrasim.summary and the names it had here, now in migrasim.io, migrasim.windows
and migrasim.summary, kept for existing command lines and imports."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from migrasim.io import attribute_value, open_run  # noqa: E402,F401
from migrasim.summary import main, summary_rows  # noqa: E402,F401
from migrasim.windows import is_flow, window_totals  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(main())
