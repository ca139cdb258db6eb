#!/usr/bin/python3
"""Reading migrasim run files: open, summarise, print.

Usage as a script:
    /usr/bin/python3 analysis/migrasim_output.py out/baseline.h5 [--start 2022-10-01 --end 2023-09-30]

prints, for each series, its total over the window (flows) or its value at the
end of the window (stocks), as the median and 90% interval across replicates.
"""
import argparse
import sys

import numpy as np
import xarray as xr


def attribute_value(value):
    """An HDF5 attribute as a plain Python value: bytes decoded, 1-element arrays and numpy scalars unwrapped."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def open_run(path):
    """The run file as an xarray Dataset (no options needed; this is a convenience)."""
    return xr.open_dataset(path)


def is_flow(variable):
    """Flows are summed over time ("time: sum"); stocks are read at a point."""
    return variable.attrs.get("cell_methods", "") == "time: sum"


def window_totals(ds, start=None, end=None):
    """Per replicate: flows summed over [start, end], stocks at the last step in it.

    Returns a dict name -> numpy array over replicates, for the scalar series
    (those with dims (replicate, time)).
    """
    window = ds.sel(time=slice(start, end))
    if window.sizes["time"] == 0:
        raise ValueError(f"no time steps between {start} and {end}")
    totals = {}
    for name, var in window.data_vars.items():
        if var.dims != ("replicate", "time"):
            continue
        values = var.sum("time") if is_flow(var) else var.isel(time=-1)
        totals[name] = np.asarray(values.values, dtype=float)
    return totals


def summary_rows(totals):
    """(name, median, 5th percentile, 95th percentile) per series."""
    rows = []
    for name, values in totals.items():
        low, median, high = np.percentile(values, [5, 50, 95])
        rows.append((name, median, low, high))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--start", help="first day of the window (YYYY-MM-DD)")
    parser.add_argument("--end", help="last day of the window (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    with open_run(args.file) as ds:
        rows = summary_rows(window_totals(ds, args.start, args.end))
        print(f"{ds.attrs.get('scenario_name', args.file)}: {ds.sizes['replicate']} replicate(s), "
              f"{str(ds.time.values[0])[:10]} .. {str(ds.time.values[-1])[:10]}")
    print(f"{'series':<26}{'median':>16}{'5%':>16}{'95%':>16}  units")
    with open_run(args.file) as ds:
        for name, median, low, high in rows:
            units = ds[name].attrs.get("units", "")
            digits = 3 if units == "1" else 0
            print(f"{name:<26}{median:>16.{digits}f}{low:>16.{digits}f}{high:>16.{digits}f}  {units}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
