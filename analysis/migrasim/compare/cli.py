"""Compare migrasim scenario runs against a baseline.

Usage:
    /usr/bin/python3 -m migrasim.compare baseline.h5 other.h5 ... \\
        [--start 2024-01-01] [--end 2025-12-31] [--html report.html] [--plots DIR] [--csv table.csv]
        [--metric NAME[@PLACE]] ...
    /usr/bin/python3 analysis/compare.py ...          (the same)

The first file is the baseline. For every file it reports cumulative outcomes over
the window (flows summed, stocks at the end of the window, as each variable's
cell_methods says) of the headline series, and of each series named with
--metric (a scalar series NAME, or NAME@PLACE for one node, edge, checkpoint or
network, e.g. edge_deaths@necocli->darien_gap), as the median and 90% interval (5th-95th percentile) across
replicates; for every other file the paired difference against the baseline
(replicate r minus baseline replicate r: the same seed gives common random
numbers), and the intervention cost per outcome averted.

--html writes one interactive page that opens offline (plotly.js embedded): the
effects against the baseline first, then time series with replicate bands, the
route with flows, deaths and apprehensions per scenario, then the tables.
--plots writes static PNG figures (for papers).

Runs over a posterior (run --posterior) record each replicate's particle; then
the report also splits each effect's variance into parameters and chance, gives
P(effect < 0), and how often each order of the policies holds across the
posterior, with plain statements where the data cannot decide (--flip-share).
--costs reads unit costs with low and high values and their sources and reports
cost ranges with downstream costs (removals, court cases). Errors in the input
(missing files, files that are not migrasim runs, windows outside the data, time
axes that differ) exit with status 2.
"""
import argparse
import os
import pathlib
import sys
import warnings

from migrasim.compare.comparison import compare
from migrasim.compare.figures import figures, write_plots
from migrasim.compare.page import report_html
from migrasim.compare.plotlyjs import PlotlyJsWarning
from migrasim.compare.posterior import FLIP_SHARE
from migrasim.compare.report import report_text, tidy
from migrasim.compare.route import route_comparison
from migrasim.compare.runs import CompareError
from migrasim.io import plain_warnings
from migrasim.windows import parse_date


def main(argv=None, prog="compare.py"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0],
                                     epilog="The first file is the baseline.")
    parser.add_argument("files", nargs="+", metavar="RUN.h5", help="run files; the first is the baseline")
    parser.add_argument("--start", type=parse_date, help="first day of the window (YYYY-MM-DD); default: run start")
    parser.add_argument("--end", type=parse_date, help="last day of the window (YYYY-MM-DD); default: run end")
    parser.add_argument("--html", metavar="REPORT.html",
                        help="write an interactive, self-contained HTML report (opens offline)")
    parser.add_argument("--plots", metavar="DIR", help="write static figures as PNG files into DIR (for papers)")
    parser.add_argument("--csv", metavar="TABLE.csv", help="write a long table (scenario, metric, statistic, value)")
    parser.add_argument("--metric", action="append", default=[], metavar="NAME[@PLACE]",
                        help="also report this series (repeatable): a scalar series such as deaths, or one place "
                             "of a series on a node, edge, checkpoint or network axis, e.g. "
                             "node_arrivals@panama_reception or edge_deaths@necocli->darien_gap")
    parser.add_argument("--flip-share", type=_share, default=FLIP_SHARE, metavar="X",
                        help=f"over a posterior: call an order of policies or the sign of an effect undecided "
                             f"when it fails in more than this share of draws (default {FLIP_SHARE})")
    parser.add_argument("--costs", metavar="COSTS.yaml",
                        help="unit costs with low/central/high values and sources (e.g. "
                             "scenarios/costs/policies.yaml): cost ranges with downstream costs")
    args = parser.parse_args(argv)
    with plain_warnings(prog):
        try:
            c = compare(args.files, args.start, args.end, flip_share=args.flip_share, costs=args.costs,
                        metrics=args.metric)
            route = route_comparison(c) if args.html else None
        except CompareError as error:
            print(f"{prog}: error: {error}", file=sys.stderr)
            return 2
    print(report_text(c))
    if args.csv:
        tidy(c).to_csv(args.csv, index=False, na_rep="n/a")
        print(f"\nwrote {args.csv}")
    if args.plots:
        for path in write_plots(figures(c), args.plots):
            print(f"wrote {path}")
    if args.html:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PlotlyJsWarning)
            write_report(c, args.html, route)
        for warning in caught:
            print(f"{prog}: warning: {warning.message}", file=sys.stderr)
        size = pathlib.Path(args.html).stat().st_size
        print(f"wrote {args.html} ({size / 1e6:.1f} MB)")
    return 0


def _share(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not 0 < value < 0.5:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 0.5, got {text}")
    return value


def write_report(c, path, route=None):
    """The HTML report written to a temporary name beside `path` and renamed into
    place, so a failure never leaves a partial report under the name asked for."""
    path = pathlib.Path(path)
    text = report_html(c, route)
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
