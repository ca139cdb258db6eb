"""Sensitivity indices from a migrasim sweep file.

Usage:
    /usr/bin/python3 -m migrasim.sensitivity SWEEP.h5 [--output NAME ...] [--bootstrap 1000]
        [--confidence 0.95] [--seed 0] [--time-reduce auto|sum|mean|last]
        [--method auto|sobol|morris|regression] [--plot DIR] [--csv FILE] [--json FILE] [--salib DIR]
    /usr/bin/python3 analysis/sensitivity.py ...          (the same)

Reads a file written by `migrasim sweep` and, for every kept output (or those named
with --output), takes one value per member: the mean over replicates of the output
(outputs kept with a time axis are first reduced over time per replicate: by
default flows summed and stocks at their last step, as their cell_methods say;
see --time-reduce). What it computes depends on the sweep's design:

  sobol            Sobol indices: first order S1 (Saltelli et al. 2010 estimator) and
                   total order ST (Jansen 1999), normalized by the variance of the
                   A and B samples, as SALib's sobol.analyze(calc_second_order=False).
  grid             Morris-style elementary effects between adjacent levels of each
                   parameter (the step as a fraction of the parameter's range):
                   mu, mu* (mean absolute effect) and sigma.
  latin_hypercube  standardized regression coefficients (SRC, with the R^2 of the
                   linear fit) and partial rank correlation coefficients (PRCC).
                   A Latin hypercube cannot give Sobol indices: they need the
                   Saltelli (design: sobol) member layout.

Log-uniform parameters are taken on the log10 scale for elementary-effect steps
and regressions. With several replicates, the report gives the share of the
variance of the member means that is replicate noise (variance no parameter explains).

Intervals come from a bootstrap: over base samples (each A, AB_1..AB_k, B block
kept together) for Sobol, over elementary effects for Morris, over members for
SRC/PRCC. They are given as SALib's `conf` (z times the bootstrap standard
deviation) and as the percentile interval. Members whose member_status is not
"finished" (per the file's flag_meanings) or with a NaN output are left out (for
Sobol, with their whole block) and counted by reason. Errors in the input (a file
that is not a sweep file, outputs it lacks, too few valid samples) exit with status 2.
"""
import argparse
import json
import pathlib
import sys

from migrasim.io import plain_warnings
from migrasim.sensitivity.analysis import analyze
from migrasim.sensitivity.export import write_plots, write_salib
from migrasim.sensitivity.report import report_json, report_text, tidy
from migrasim.sensitivity.sweep import TIME_REDUCE_CHOICES, SensitivityError, load_sweep


def _probability(text):
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not strictly between 0 and 1")
    return value


def _count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def main(argv=None, prog="sensitivity.py"):
    title, _, details = __doc__.split("\n\n", 2)
    parser = argparse.ArgumentParser(prog=prog, description=title,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=details)
    parser.add_argument("file", metavar="SWEEP.h5", help="a sweep file written by `migrasim sweep`")
    parser.add_argument("--output", action="append", metavar="NAME",
                        help="an output to analyse (repeatable; default: every kept output)")
    parser.add_argument("--bootstrap", type=_count, default=1000, metavar="N",
                        help="bootstrap resamples for the intervals (default 1000; 0: none)")
    parser.add_argument("--confidence", type=_probability, default=0.95, help="interval level (default 0.95)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    parser.add_argument("--time-reduce", choices=TIME_REDUCE_CHOICES, default="auto",
                        help="for outputs kept with a time axis: auto (default: flows summed, stocks at "
                             "their last step, as cell_methods says), or sum, mean or last value over time, "
                             "per replicate, before the replicate mean")
    parser.add_argument("--method", choices=("auto", "sobol", "morris", "regression"), default="auto",
                        help="auto (default): sobol for a sobol design, morris for a grid, regression "
                             "(SRC/PRCC) for a Latin hypercube; regression works on any design")
    parser.add_argument("--plot", metavar="DIR", help="write one bar plot (PNG) per output into DIR")
    parser.add_argument("--csv", metavar="FILE", help="write a long table (output, parameter, method, index, "
                                                      "value, conf, low, high)")
    parser.add_argument("--json", metavar="FILE", help="write the indices as JSON, a SALib-style dict per output")
    parser.add_argument("--salib", metavar="DIR", help="write problem.json, X.txt and Y_<output>.txt for SALib")
    args = parser.parse_args(argv)
    with plain_warnings(prog):
        try:
            sweep = load_sweep(args.file, args.output, args.time_reduce)
            results = analyze(sweep, args.method, args.bootstrap, args.confidence, args.seed)
        except SensitivityError as error:
            print(f"{prog}: error: {error}", file=sys.stderr)
            return 2
    print(report_text(sweep, results, args.bootstrap, args.confidence, args.seed))
    if args.csv:
        tidy(results).to_csv(args.csv, index=False, na_rep="")
        print(f"\nwrote {args.csv}")
    if args.json:
        data = report_json(sweep, results, args.bootstrap, args.confidence, args.seed, args.time_reduce)
        pathlib.Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.json).write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    if args.plot:
        for path in write_plots(results, args.plot, args.confidence):
            print(f"wrote {path}")
    if args.salib:
        paths, rows = write_salib(sweep, args.salib)
        print(f"wrote {', '.join(str(p) for p in paths)} ({rows} rows)")
    return 0
