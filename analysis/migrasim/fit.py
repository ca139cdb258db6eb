"""Compare a run with observed figures, for any scenario and corridor.

Usage:
    /usr/bin/python3 -m migrasim.fit RUN.h5 [--targets FILE] [--plot fit.png] [--markdown]
    /usr/bin/python3 analysis/fit_baseline.py ...          (the same)

The targets are those of a calibration file, or of a file holding only a
`targets:` list, in the form docs/calibration.md describes: each names a
series (at a node if it has a node axis), a window (a calendar year, a fiscal
year with its first month, a month, or explicit dates), an observed value or
range, and its measurement error. Without --targets, the baseline's
(scenarios/observed/targets.yaml). For each target the report gives the
simulated summary's mean over replicates and their range, the ratio to the
observed midpoint, and the residual in measurement sds (0 inside an observed
range). A target fits when the ratio lies within [1/F, F] (F = --factor, 1.5).
Exit status: 0 every target fits, 1 some do not, 2 a target the run cannot
produce (a series, node or window it does not have) or a bad targets file.
"""
import argparse
import datetime as dt
import pathlib
import re
import sys

import numpy as np
import yaml

from migrasim.io import open_run, plain_warnings
from migrasim.windows import reduce_time, summed_units, time_reduction, year_window

__all__ = ["DEFAULT_TARGETS", "FACTOR", "Target", "fit_table", "format_rows", "load_targets", "main", "plot",
           "simulated", "target_window", "year_window"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_TARGETS = ROOT / "scenarios" / "observed" / "targets.yaml"
FACTOR = 1.5
PLACES = ("node", "edge", "checkpoint", "network")
REDUCES = ("sum", "mean", "last", "max")


class Target:
    """One observed figure and the model summary it is set against."""

    def __init__(self, name, series, start, end, label, low, high, sd, reduce=None, place=None):
        self.name, self.series, self.start, self.end, self.label = name, series, start, end, label
        self.low, self.high, self.sd, self.reduce, self.place = low, high, sd, reduce, place

    @property
    def observed_mid(self):
        return 0.5 * (self.low + self.high)


def target_window(window, where):
    """(first day, last day, label) of a window as a calibration file writes it."""
    if not isinstance(window, dict):
        raise ValueError(f"{where}.window: expected a mapping such as {{year: 2023}}")
    forms = [k for k in ("year", "fiscal_year", "month", "from") if k in window]
    if len(forms) != 1:
        raise ValueError(f"{where}.window: give exactly one of year, fiscal_year, month, or from/to")
    allowed = {"year": {"year"}, "fiscal_year": {"fiscal_year", "first_month"}, "month": {"month"},
               "from": {"from", "to"}}[forms[0]]
    if set(window) - allowed:
        raise ValueError(f"{where}.window: unknown key(s) {', '.join(sorted(set(window) - allowed))}")
    if "year" in window:
        year = int(window["year"])
        return dt.date(year, 1, 1), dt.date(year, 12, 31), str(year)
    if "fiscal_year" in window:
        # Named by the calendar year in which it ends, unless it starts in January.
        year, first = int(window["fiscal_year"]), int(window.get("first_month", 10))
        if not 1 <= first <= 12:
            raise ValueError(f"{where}.window.first_month: expected 1 to 12, got {first}")
        start_year = year if first == 1 else year - 1
        start = dt.date(start_year, first, 1)
        end = dt.date(start_year + 1, first, 1) - dt.timedelta(days=1)
        return start, end, f"FY{year}"
    if "month" in window:
        text = str(window["month"])
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"{where}.window.month: expected YYYY-MM, got '{text}'")
        year, month = int(match.group(1)), int(match.group(2))
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return start, end, text
    start, end = (dt.date.fromisoformat(str(window[k])) for k in ("from", "to"))
    if end < start:
        raise ValueError(f"{where}.window: ends before it starts")
    return start, end, f"{start}..{end}"


def _target(entry, where):
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping")
    unknown = set(entry) - {"name", "series", "at", "window", "reduce", "observed", "error"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("name", "series", "window", "observed", "error"):
        if key not in entry:
            raise ValueError(f"{where}: missing key '{key}'")
    place = None
    if "at" in entry:
        at = entry["at"]
        if not isinstance(at, dict) or len(at) != 1 or next(iter(at)) not in PLACES:
            raise ValueError(f"{where}.at: expected one of " + ", ".join(f"{{{p}: NAME}}" for p in PLACES))
        place = next(iter(at.items()))
    reduce = entry.get("reduce")
    if reduce is not None and reduce not in REDUCES:
        raise ValueError(f"{where}.reduce: expected one of {', '.join(REDUCES)}")
    observed = entry["observed"]
    low, high = (observed["low"], observed["high"]) if isinstance(observed, dict) else (observed, observed)
    error = entry["error"]
    if not isinstance(error, dict) or not set(error) <= {"sd", "relative_sd"} or not error:
        raise ValueError(f"{where}.error: give sd, relative_sd or both")
    sd = float(error.get("sd", 0.0)) + float(error.get("relative_sd", 0.0)) * 0.5 * (low + high)
    start, end, label = target_window(entry["window"], where)
    return Target(str(entry["name"]), str(entry["series"]), start, end, label, float(low), float(high), sd,
                  reduce, place)


def load_targets(path=DEFAULT_TARGETS):
    """The targets of a calibration file or a targets file."""
    data = yaml.safe_load(pathlib.Path(path).read_text())
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list) or not data["targets"]:
        raise ValueError(f"{path}: expected a non-empty `targets:` list")
    return [_target(entry, f"{path}: targets[{i}]") for i, entry in enumerate(data["targets"])]


def simulated(ds, target):
    """The target's summary per replicate; ValueError when the run cannot give it."""
    if target.series not in ds:
        raise ValueError(f"{target.name}: the run has no series '{target.series}'")
    variable = ds[target.series]
    if target.place is not None:
        kind, name = target.place
        if kind not in variable.dims:
            raise ValueError(f"{target.name}: the series {target.series} has no {kind} axis")
        names = [str(n) for n in ds[kind].values]
        if str(name) not in names:
            raise ValueError(f"{target.name}: the run has no {kind} named {name} (its {kind}s: {', '.join(names)})")
        variable = variable.sel({kind: str(name)})
    elif set(variable.dims) != {"replicate", "time"}:
        extra = ", ".join(d for d in variable.dims if d not in ("replicate", "time"))
        raise ValueError(f"{target.name}: {target.series} has a {extra} axis: say where with `at:`")
    times = ds["time"].values
    first, last = np.datetime64(target.start), np.datetime64(target.end)
    if times.size == 0 or first < times[0].astype("datetime64[D]") or last > times[-1].astype("datetime64[D]"):
        raise ValueError(f"{target.name}: the window {target.label} ({target.start} to {target.end}) reaches "
                         f"outside the run")
    window = variable.sel(time=slice(str(target.start), str(target.end)))
    flow = time_reduction(target.series, variable.attrs) == "sum"
    if target.reduce == "sum" and not flow:
        raise ValueError(f"{target.name}: {target.series} is not a flow (cell_methods 'time: sum'): "
                         f"a sum of it over the window would mean nothing")
    how = target.reduce or ("sum" if flow else "mean")
    axis = window.get_axis_num("time")
    if how == "max":
        return np.asarray(window.values, dtype=float).max(axis=axis)
    return reduce_time(window.values, how, axis=axis)


def fit_table(ds, targets=None, factor=FACTOR):
    """Rows of (label, observed low, observed high, sim mean, sim min, sim max, ratio, residual sds, fits)."""
    rows = []
    for target in targets if targets is not None else load_targets():
        values = simulated(ds, target)
        mean = float(values.mean())
        mid = target.observed_mid
        ratio = mean / mid if mid > 0 else float("inf")
        outside = mean - target.low if mean < target.low else mean - target.high if mean > target.high else 0.0
        rows.append((f"{target.name} ({target.label})", target.low, target.high, mean, float(values.min()),
                     float(values.max()), ratio, outside / target.sd, 1 / factor <= ratio <= factor))
    return rows


def format_rows(rows, markdown=False, factor=FACTOR):
    header = ("target", "observed", "simulated mean", "replicate range", "sim / obs", "residual (sd)",
              f"within {factor:g}x")
    widths = (34, 16, 16, 20, 10, 14, 12)
    lines = []
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
    else:
        lines.append("".join(f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(header, widths))))
    for label, low, high, mean, lo, hi, ratio, residual, ok in rows:
        observed = f"{low:,.0f}" if low == high else f"{low:,.0f}-{high:,.0f}"
        cells = (label, observed, f"{mean:,.0f}", f"{lo:,.0f}-{hi:,.0f}", f"{ratio:.2f}", f"{residual:+.1f}",
                 "yes" if ok else "NO")
        if markdown:
            lines.append("| " + " | ".join(cells) + " |")
        else:
            lines.append("".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(cells, widths))))
    return "\n".join(lines)


def plot(ds, rows, path, targets):
    """Observed figures (with two measurement sds) against the simulated means (replicate range)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(rows)), 4.5))
    x = np.arange(len(rows))
    mids = [t.observed_mid for t in targets]
    ax.bar(x - 0.2, mids, 0.4, label="observed (±2 sd)", yerr=[2 * t.sd for t in targets])
    ax.bar(x + 0.2, [r[3] for r in rows], 0.4, label="simulated mean (replicate range)",
           yerr=[[r[3] - r[4] for r in rows], [r[5] - r[3] for r in rows]])
    ax.set_xticks(x, [t.name for t in targets], rotation=30, ha="right")
    if min(mids) > 0 and max(mids) / min(mids) > 20:
        ax.set_yscale("log")
    units = {summed_units(str(ds[t.series].attrs.get("units", "")), "sum") for t in targets if t.series in ds}
    ax.set_ylabel(", ".join(sorted(units)))
    ax.set_title("Observed figures and the run")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None, prog="fit_baseline.py"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a run file of migrasim run")
    parser.add_argument("--targets", default=str(DEFAULT_TARGETS),
                        help="a calibration file or a file with a `targets:` list (default: the baseline's)")
    parser.add_argument("--factor", type=float, default=FACTOR, help="a target fits within this ratio (1.5)")
    parser.add_argument("--plot", help="write a PNG figure here")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    try:
        targets = load_targets(args.targets)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    with plain_warnings(prog), open_run(args.file) as ds:
        try:
            rows = fit_table(ds, targets, args.factor)
        except ValueError as error:
            print(f"{prog}: error: {error}", file=sys.stderr)
            return 2
        print(format_rows(rows, args.markdown, args.factor))
        if args.plot:
            plot(ds, rows, args.plot, targets)
    return 0 if all(r[8] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(prog="python3 -m migrasim.fit"))
