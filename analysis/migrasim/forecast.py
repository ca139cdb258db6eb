"""Monthly predictive intervals of a run over a posterior, alone or against another.

Usage:
    /usr/bin/python3 -m migrasim.forecast RUN.h5 [--against OTHER.h5]
        [--series border_encounters] [--series node_arrivals@panama_reception] [--label L]
        [--against-label L]
        [--from 2024-01] [--to 2025-12] [--plot FIG.png] [--markdown] [--csv FILE]

Each replicate of a run over a posterior (`migrasim run --posterior`) drew its
own particle, so the spread over replicates holds parameter and stochastic
uncertainty together. For each series (a scalar series, or `NAME@PLACE` for a
series with a node, edge, checkpoint or network axis) and each calendar month
in [--from, --to], the table gives the median and the 50% and 90% predictive
intervals (25-75% and 5-95% quantiles over replicates) of the month's total
(a flow; a stock gives its value at the month's end). With --against (a second
run with the same seed and posterior: the same particles in the same
replicates), the other run's median and 90% interval are added, and the
paired difference's median and 90% interval. The intervals do not include the
observations' measurement error, nor structural error: what the model leaves
out is not in them.
"""
import argparse
import sys

import numpy as np
import pandas as pd

from migrasim.io import open_run, plain_warnings
from migrasim.windows import time_reduction

__all__ = ["monthly", "series_values", "main"]

PLACES = ("node", "edge", "checkpoint", "network")


def series_values(ds, spec):
    """(replicate, time) values of `spec`: a series name, or NAME@PLACE for one with a place axis."""
    name, _, place = spec.partition("@")
    if name not in ds:
        raise ValueError(f"the run has no series '{name}'")
    variable = ds[name]
    axes = [d for d in variable.dims if d in PLACES]
    if place:
        if not axes:
            raise ValueError(f"{name} has no node, edge, checkpoint or network axis: drop '@{place}'")
        names = [str(n) for n in ds[axes[0]].values]
        if place not in names:
            raise ValueError(f"{name}: the run has no {axes[0]} named '{place}' (its {axes[0]}s: {', '.join(names)})")
        variable = variable.sel({axes[0]: place})
    elif axes:
        raise ValueError(f"{name} has a {axes[0]} axis: say which with {name}@NAME")
    return variable


def monthly(variable, first=None, last=None):
    """(months, values[replicate, month]): each month's total of a flow, or end-of-month value of a stock."""
    how = time_reduction(variable.name, variable.attrs)
    frame = variable.transpose("replicate", "time").to_pandas().T  # time x replicate
    grouped = frame.groupby(frame.index.to_period("M"))
    table = grouped.sum() if how == "sum" else grouped.last()
    # Only whole months: a month the run covers in part would read low.
    days = grouped.size()
    whole = days == np.array([p.days_in_month for p in days.index])
    table = table[whole.values]
    if first:
        table = table[table.index >= pd.Period(first, "M")]
    if last:
        table = table[table.index <= pd.Period(last, "M")]
    if table.empty:
        raise ValueError("no whole month of the run lies in the window")
    return [str(p) for p in table.index], table.to_numpy().T


def _q(values, q):
    return np.quantile(values, q, axis=0)


def _fmt(x):
    return f"{x:,.0f}"


def table_rows(values, other=None):
    """Per month: median, 50% and 90% intervals; with `other`, its median and 90% interval and the
    paired difference's median and 90% interval."""
    q = _q(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    rows = []
    for m in range(values.shape[1]):
        row = [_fmt(q[2, m]), f"{_fmt(q[1, m])}-{_fmt(q[3, m])}", f"{_fmt(q[0, m])}-{_fmt(q[4, m])}"]
        if other is not None:
            o = _q(other[:, m], [0.05, 0.5, 0.95])
            d = _q(values[:, m] - other[:, m], [0.05, 0.5, 0.95])
            row += [_fmt(o[1]), f"{_fmt(o[0])}-{_fmt(o[2])}", f"{d[1]:+,.0f}", f"{d[0]:+,.0f} to {d[2]:+,.0f}"]
        rows.append(row)
    return rows


def format_table(months, rows, against, markdown):
    header = ["month", "median", "50% interval", "90% interval"]
    if against:
        header += ["other: median", "other: 90%", "difference: median", "difference: 90%"]
    lines = [[m, *r] for m, r in zip(months, rows)]
    if markdown:
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                         + ["| " + " | ".join(r) + " |" for r in lines])
    widths = [max(len(c) for c in col) + 2 for col in zip(header, *lines)]
    return "\n".join("".join(f"{c:>{w}}" for c, w in zip(r, widths)) for r in [header, *lines])


def plot(panels, path, label, against_label):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 3.2 * len(panels)), squeeze=False)
    for ax, (spec, months, values, other) in zip(axes[:, 0], panels):
        x = pd.PeriodIndex(months, freq="M").to_timestamp()
        for data, colour, label in ((values, "tab:blue", label), (other, "tab:orange", against_label)):
            if data is None:
                continue
            q = _q(data, [0.05, 0.25, 0.5, 0.75, 0.95])
            ax.fill_between(x, q[0], q[4], color=colour, alpha=0.15, step="mid")
            ax.fill_between(x, q[1], q[3], color=colour, alpha=0.35, step="mid")
            ax.plot(x, q[2], color=colour, drawstyle="steps-mid", label=f"{label}: median, 50% and 90%")
        ax.set_title(spec)
        ax.set_ylabel("persons per month")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None, prog="python3 -m migrasim.forecast"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a run over a posterior")
    parser.add_argument("--against", help="a second run, same seed and posterior (paired)")
    parser.add_argument("--label", default="run", help="the run's name in the figure")
    parser.add_argument("--against-label", default="other run", help="the other run's name in the figure")
    parser.add_argument("--series", action="append", help="NAME or NAME@PLACE (repeatable; default border_encounters)")
    parser.add_argument("--from", dest="first", help="first month, YYYY-MM")
    parser.add_argument("--to", dest="last", help="last month, YYYY-MM")
    parser.add_argument("--plot", help="write a PNG figure here")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--csv", help="write every quantile, month by month, as CSV")
    args = parser.parse_args(argv)
    specs = args.series or ["border_encounters"]
    panels, csv_rows = [], []
    try:
        with plain_warnings(prog), open_run(args.run) as ds:
            other_ds = open_run(args.against) if args.against else None
            try:
                if other_ds is not None and other_ds.sizes["replicate"] != ds.sizes["replicate"]:
                    raise ValueError("the two runs have different numbers of replicates: not paired")
                for spec in specs:
                    months, values = monthly(series_values(ds, spec), args.first, args.last)
                    other = None
                    if other_ds is not None:
                        other_months, other = monthly(series_values(other_ds, spec), args.first, args.last)
                        if other_months != months:
                            raise ValueError(f"{spec}: the two runs cover different months")
                    print(f"{spec}, {values.shape[0]} replicates" + (f", against {args.against}" if args.against else ""))
                    print(format_table(months, table_rows(values, other), other is not None, args.markdown))
                    print()
                    panels.append((spec, months, values, other))
                    for m, month in enumerate(months):
                        for label, data in (("run", values), ("against", other)):
                            if data is None:
                                continue
                            q = _q(data[:, m], [0.05, 0.25, 0.5, 0.75, 0.95])
                            csv_rows.append((spec, label, month, *q))
            finally:
                if other_ds is not None:
                    other_ds.close()
    except (OSError, ValueError, KeyError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    if args.plot:
        plot(panels, args.plot, args.label, args.against_label)
    if args.csv:
        pd.DataFrame(csv_rows, columns=["series", "run", "month", "q05", "q25", "q50", "q75", "q95"]).to_csv(
            args.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
