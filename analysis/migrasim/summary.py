"""Window totals of a migrasim run file, with replicate intervals.

Usage:
    /usr/bin/python3 -m migrasim.summary out/baseline.h5 [--start 2022-10-01 --end 2023-09-30]
    /usr/bin/python3 analysis/migrasim_output.py ...          (the same)

prints, for each series, its total over the window (flows) or its value at the
end of the window (stocks), as the median and 90% interval across replicates.
"""
import argparse
import sys

import numpy as np

from migrasim.io import open_run, plain_warnings
from migrasim.windows import summed_units, time_reduction, window_totals


def summary_rows(totals):
    """(name, median, 5th percentile, 95th percentile) per series."""
    rows = []
    for name, values in totals.items():
        low, median, high = np.percentile(values, [5, 50, 95])
        rows.append((name, median, low, high))
    return rows


def main(argv=None, prog="migrasim_output.py"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--start", help="first day of the window (YYYY-MM-DD)")
    parser.add_argument("--end", help="last day of the window (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    with plain_warnings(prog), open_run(args.file) as ds:
        rows = summary_rows(window_totals(ds, args.start, args.end))
        print(f"{ds.attrs.get('scenario_name', args.file)}: {ds.sizes['replicate']} replicate(s), "
              f"{str(ds.time.values[0])[:10]} .. {str(ds.time.values[-1])[:10]}")
        print(f"{'series':<26}{'median':>16}{'5%':>16}{'95%':>16}  units")
        for name, median, low, high in rows:
            attrs = ds[name].attrs
            units = summed_units(str(attrs.get("units", "")), time_reduction(name, attrs))
            digits = 3 if units == "1" else 0
            print(f"{name:<26}{median:>16.{digits}f}{low:>16.{digits}f}{high:>16.{digits}f}  {units}")
    return 0


if __name__ == "__main__":
    sys.exit(main(prog="python3 -m migrasim.summary"))
