import sys

from migrasim.compare.cli import main

sys.exit(main(prog="python3 -m migrasim.compare"))
