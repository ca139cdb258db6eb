"""Do two sets of runs agree in distribution? For changes that alter the random
streams (a new sampler, a reordered draw) but should not alter the model.

Usage:
    /usr/bin/python3 -m migrasim.equivalence before.h5 after.h5 \\
        [--window 2021-10-01:2022-09-30 ...] [--alpha 0.01] [--csv table.csv]
    /usr/bin/python3 analysis/equivalence.py ...          (the same)

The files are runs of the same scenario with independent random numbers (same
seed, but streams that differ: a same-seed pairing means nothing here). For
each scalar series and window, the replicate totals (flows summed, stocks at
the window's end, as each variable's cell_methods says) of the two files are
compared with Welch's t test. A series is flagged when its p-value is below
alpha divided by the number of tests (Bonferroni), so with no real difference
the whole check fails with probability at most alpha. Series equal in every replicate of both files are
skipped; series in only one file are listed and skipped.

"Nothing differs" is not proof of no difference: the table's last column is
the smallest difference the check would have flagged with 80% power, as a
share of the before mean (z for the Bonferroni level plus 0.84, times the
standard error). More replicates make it smaller, as 1/sqrt(replicates).

Prints a table; exits 1 if anything is flagged, 2 on bad input (including
NaN totals, fewer than 2 replicates, or no series to compare).
"""
import argparse
import csv
import sys

import numpy as np
from scipy import stats

from migrasim.io import open_run, plain_warnings
from migrasim.windows import window_totals

__all__ = ["compare", "detectable", "main", "parse_window", "welch"]


def parse_window(text):
    start, sep, end = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"window '{text}' is not START:END")
    return (start or None, end or None)


def welch(before, after):
    """(difference of means, its standard error, p-value)."""
    diff = float(np.mean(after) - np.mean(before))
    se = float(np.sqrt(np.var(before, ddof=1) / before.size + np.var(after, ddof=1) / after.size))
    if se == 0.0:
        return diff, se, (1.0 if diff == 0.0 else 0.0)
    p = float(stats.ttest_ind(after, before, equal_var=False).pvalue)
    return diff, se, p


def compare(before_path, after_path, windows):
    """(rows, names of series found in only one of the files)."""
    rows = []
    unmatched = set()
    with open_run(before_path) as before_ds, open_run(after_path) as after_ds:
        for start, end in windows:
            before = window_totals(before_ds, start, end)
            after = window_totals(after_ds, start, end)
            unmatched |= set(before) ^ set(after)
            for name in before:
                if name not in after:
                    continue
                b, a = before[name], after[name]
                if b.size < 2 or a.size < 2:
                    raise ValueError("each file needs at least 2 replicates")
                if not (np.all(np.isfinite(b)) and np.all(np.isfinite(a))):
                    raise ValueError(f"{name}: totals that are not finite numbers")
                if np.all(b == b[0]) and np.all(a == b[0]):
                    continue
                diff, se, p = welch(b, a)
                rows.append({
                    "window": f"{start or 'start'}:{end or 'end'}",
                    "series": name,
                    "before_mean": float(np.mean(b)),
                    "after_mean": float(np.mean(a)),
                    "difference": diff,
                    "standard_error": se,
                    "p_value": p,
                })
    return rows, sorted(unmatched)


def detectable(row, threshold, power=0.8):
    """Smallest difference flagged with the given power, as a share of the before mean."""
    z = stats.norm.ppf(1 - threshold / 2) + stats.norm.ppf(power)
    scale = abs(row["before_mean"])
    return z * row["standard_error"] / scale if scale > 0 else float("nan")


def main(argv=None, prog="equivalence.py"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--window", action="append", type=parse_window, default=None,
                        metavar="START:END", help="date window (repeatable); default: the whole run")
    parser.add_argument("--alpha", type=float, default=0.01,
                        help="family-wise significance level (default 0.01)")
    parser.add_argument("--csv", help="also write the table as CSV")
    args = parser.parse_args(argv)
    windows = args.window or [(None, None)]
    try:
        with plain_warnings(prog):
            rows, unmatched = compare(args.before, args.after, windows)
        if not rows:
            raise ValueError("no series to compare (none in both files, or all constant)")
        threshold = args.alpha / len(rows)
        for r in rows:
            r["detectable_share"] = detectable(r, threshold)
        if args.csv:
            with open(args.csv, "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
                writer.writeheader()
                writer.writerows(rows)
    except (OSError, ValueError, KeyError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    if unmatched:
        print(f"in one file only, not compared: {', '.join(unmatched)}")
    flagged = 0
    print(f"{'window':<24} {'series':<28} {'before':>14} {'after':>14} {'diff/se':>8} {'p':>9} "
          f"{'detectable':>10}")
    for r in rows:
        z = r["difference"] / r["standard_error"] if r["standard_error"] > 0 else float("inf")
        mark = ""
        if r["p_value"] < threshold:
            mark = "  <-- differs"
            flagged += 1
        print(f"{r['window']:<24} {r['series']:<28} {r['before_mean']:>14.6g} {r['after_mean']:>14.6g} "
              f"{z:>8.2f} {r['p_value']:>9.3g} {r['detectable_share']:>10.1%}{mark}")
    print(f"{len(rows)} tests, Bonferroni threshold p < {threshold:.3g}: {flagged} differ")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main(prog="python3 -m migrasim.equivalence"))
