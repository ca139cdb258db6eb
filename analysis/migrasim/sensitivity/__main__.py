import sys

from migrasim.sensitivity.cli import main

sys.exit(main(prog="python3 -m migrasim.sensitivity"))
