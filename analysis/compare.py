#!/usr/bin/python3
"""Compare migrasim scenario runs against a baseline.

Usage:
    /usr/bin/python3 analysis/compare.py baseline.h5 other.h5 ... \\
        [--start 2024-01-01] [--end 2025-12-31] [--html report.html] [--plots DIR] [--csv table.csv]

The first file is the baseline. For every file it reports cumulative outcomes over
the window (flows summed, stocks at the end of the window) as the median and 90%
interval (5th-95th percentile) across replicates; for every other file the paired
difference against the baseline (replicate r minus baseline replicate r: the same
seed gives common random numbers), and the intervention cost per outcome averted.
Errors in the input (missing files, files that are not migrasim runs, windows
outside the data, time axes that differ) exit with status 2.
"""
import argparse
import base64
import dataclasses
import datetime as _dt
import html
import io
import os
import pathlib
import sys

import numpy as np
import pandas as pd

from migrasim_output import attribute_value as _attr

# Headline outcomes, in report order: (variable, kind if the file does not say).
METRICS = [
    ("border_encounters", "flow"),
    ("smuggled_departures", "flow"),
    ("deaths", "flow"),
    ("smuggler_revenue_usd", "flow"),
    ("high_risk_detected", "flow"),
    ("high_risk_missed", "flow"),
    ("false_positives", "flow"),
    ("falsified_docs_detected", "flow"),
    ("asylum_granted", "flow"),
    ("legal_pathway_entries", "flow"),
    ("coerced_arrivals", "flow"),
    ("intervention_cost_usd", "flow"),
    ("asylum_backlog", "stock"),
]
METRIC_NAMES = [name for name, _ in METRICS]

# Metrics drawn as time series.
KEY_METRICS = ["border_encounters", "smuggled_departures", "deaths", "high_risk_detected",
               "asylum_backlog", "smuggler_revenue_usd", "intervention_cost_usd"]

COST = "intervention_cost_usd"
# Cost-effectiveness: (key, metric, sign, what one unit is). sign +1: the outcome
# should fall (averted = baseline - scenario); -1: it should rise.
EFFECTS = [
    ("usd_per_smuggled_departure_averted", "smuggled_departures", +1, "smuggled departure averted"),
    ("usd_per_death_averted", "deaths", +1, "death averted"),
    ("usd_per_border_encounter_averted", "border_encounters", +1, "border encounter averted"),
    ("usd_per_high_risk_detection_added", "high_risk_detected", -1,
     "high-risk individual additionally detected"),
]

PERCENTILES = (5.0, 50.0, 95.0)


class CompareError(Exception):
    """An input problem reported to the user (exit status 2)."""


# --------------------------------------------------------------------------- loading

@dataclasses.dataclass
class Run:
    path: str
    label: str
    scenario_name: str
    attrs: dict
    times: np.ndarray          # datetime64[ns], start of each step
    step_days: float
    replicates: np.ndarray     # replicate coordinate values (ints)
    series: dict               # name -> float array (replicate, time)
    units: dict                # name -> units as stored (per step for flows)
    long_names: dict
    kinds: dict                # name -> "flow" | "stock"
    interventions: list = dataclasses.field(default_factory=list)  # "name (type): first .. last day in force"

    @property
    def seed(self):
        return self.attrs.get("seed")

    @property
    def first_day(self):
        return _day(self.times[0])

    @property
    def last_day(self):
        """The last day the data cover: the end of the last step."""
        return _day(self.times[-1]) + _dt.timedelta(days=max(self.step_days, 1.0) - 1.0)


def _day(value):
    return pd.Timestamp(value).to_pydatetime().date() if not isinstance(value, _dt.date) else value


def load_run(path):
    """Reads the headline series of one run file. Raises CompareError."""
    import xarray as xr

    path = str(path)
    if not os.path.exists(path):
        raise CompareError(f"{path}: no such file")
    if os.path.isdir(path):
        raise CompareError(f"{path}: is a directory, not a run file")
    try:
        ds = xr.open_dataset(path)
    except Exception as error:  # noqa: BLE001 - any reader failure means "not a run file"
        raise CompareError(f"{path}: not a readable netCDF-4/HDF5 run file ({type(error).__name__}: {error})")
    with ds:
        if "border_encounters" not in ds.data_vars:
            raise CompareError(f"{path}: not a migrasim run file (no border_encounters variable)")
        if "time" not in ds.coords or "replicate" not in ds.coords:
            raise CompareError(f"{path}: not a migrasim run file (no time or replicate coordinate)")
        times = np.asarray(ds["time"].values)
        if not np.issubdtype(times.dtype, np.datetime64):
            raise CompareError(f"{path}: the time coordinate has no 'days since DATE' units")
        if times.size == 0:
            raise CompareError(f"{path}: the run has no time steps")
        attrs = {k: _attr(v) for k, v in ds.attrs.items()}
        step_days = attrs.get("step_days", ds["time"].attrs.get("step_days"))
        if step_days is None:
            step_days = (times[1] - times[0]) / np.timedelta64(1, "D") if times.size > 1 else 1.0
        replicates = np.asarray(ds["replicate"].values)
        series, units, long_names, kinds = {}, {}, {}, {}
        for name, default_kind in METRICS:
            if name not in ds.data_vars:
                continue
            var = ds[name]
            if var.dims != ("replicate", "time"):
                continue
            cell = var.attrs.get("cell_methods", "")
            kinds[name] = "flow" if cell == "time: sum" else "stock" if cell == "time: point" else default_kind
            series[name] = np.asarray(var.values, dtype=float)
            units[name] = str(var.attrs.get("units", ""))
            long_names[name] = str(var.attrs.get("long_name", name))
        interventions = _interventions(ds, times)
    if np.any(replicates != np.round(replicates)):
        raise CompareError(f"{path}: replicate coordinate is not whole numbers")
    name = str(attrs.get("scenario_name") or "").strip()
    return Run(path=path, label=name or pathlib.Path(path).stem, scenario_name=name, attrs=attrs,
               times=times, step_days=float(step_days), replicates=replicates.astype(int),
               series=series, units=units, long_names=long_names, kinds=kinds, interventions=interventions)


def _interventions(ds, times):
    """The file's interventions (optional `intervention` axis), with the days they are
    in force in replicate 0, for the provenance."""
    if "intervention" not in ds.coords:
        return []
    names = [str(_attr(v)) for v in np.asarray(ds["intervention"].values).ravel()]
    types = str(_attr(ds["intervention"].attrs.get("intervention_types", ""))).split()
    activity = None
    if "intervention_activity" in ds.data_vars and ds["intervention_activity"].dims == (
            "replicate", "time", "intervention") and ds.sizes["replicate"] > 0:
        activity = np.asarray(ds["intervention_activity"].isel(replicate=0).values, dtype=float)
    out = []
    for k, name in enumerate(names):
        text = name + (f" ({types[k]})" if len(types) == len(names) else "")
        if activity is not None:
            active = np.nonzero(activity[:, k] > 0)[0]
            text += (f": in force {_day(times[active[0]])} .. {_day(times[active[-1]])}" if active.size
                     else ": never in force")
        out.append(text)
    return out


def disambiguate(runs):
    """Makes labels unique: duplicates get the file stem, then a number."""
    counts = pd.Series([r.label for r in runs]).value_counts()
    for run in runs:
        if counts[run.label] > 1:
            run.label = f"{run.label} ({pathlib.Path(run.path).stem})"
    seen = {}
    for run in runs:
        base = run.label
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            run.label = f"{base} #{seen[base]}"
    return runs


def load_runs(paths):
    runs = [load_run(p) for p in paths]
    return disambiguate(runs)


# --------------------------------------------------------------------------- window

def parse_date(text):
    try:
        return _dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)")


@dataclasses.dataclass
class Window:
    start: _dt.date
    end: _dt.date
    default_start: bool
    default_end: bool
    indices: list           # per run: integer index array of the steps in the window
    times: np.ndarray       # the steps (common to all runs)


def select_window(runs, start=None, end=None):
    """The steps whose start lies in [start, end] (default: the baseline's whole run),
    checked to lie inside every file's data and to be the same steps in every file."""
    base = runs[0]
    default_start, default_end = start is None, end is None
    start = base.first_day if start is None else _day(start)
    end = base.last_day if end is None else _day(end)
    if start > end:
        raise CompareError(f"the window starts ({start}) after it ends ({end})")
    for run in runs:
        if start < run.first_day or start > run.last_day:
            why = f"{run.path} has data from {run.first_day} to {run.last_day}"
            raise CompareError(f"the window start {start} is outside the data: {why}")
        if end > run.last_day or end < run.first_day:
            why = f"{run.path} has data from {run.first_day} to {run.last_day}"
            hint = (f" (the window ends where {base.path} ends; pass --end to compare a common window)"
                    if default_end else "")
            raise CompareError(f"the window end {end} is outside the data: {why}{hint}")
    lo, hi = np.datetime64(start, "ns"), np.datetime64(end, "ns") + np.timedelta64(1, "D")
    indices = []
    for run in runs:
        idx = np.nonzero((run.times >= lo) & (run.times < hi))[0]
        if idx.size == 0:
            raise CompareError(f"no time step of {run.path} starts between {start} and {end}")
        indices.append(idx)
    ref = base.times[indices[0]]
    for run, idx in zip(runs[1:], indices[1:]):
        these = run.times[idx]
        if these.shape == ref.shape and np.array_equal(these, ref) and run.step_days == base.step_days:
            continue
        def describe(r, t):
            return (f"{r.path} has {t.size} step(s) of {r.step_days:g} day(s) from "
                    f"{_day(t[0])} to {_day(t[-1])}")
        detail = f"{describe(run, these)}, {describe(base, ref)}"
        if these.shape == ref.shape and run.step_days == base.step_days:
            k = int(np.nonzero(these != ref)[0][0])
            detail += f"; step {k} starts on {_day(these[k])} in one and {_day(ref[k])} in the other"
        raise CompareError(f"the time axes differ in the window {start} .. {end}: {detail}")
    return Window(start=start, end=end, default_start=default_start, default_end=default_end,
                  indices=indices, times=ref)


# --------------------------------------------------------------------------- statistics

def quantiles(values):
    """(median, 5th percentile, 95th percentile), numpy's linear interpolation."""
    values = np.asarray(values, dtype=float)
    low, median, high = np.percentile(values, [PERCENTILES[0], PERCENTILES[1], PERCENTILES[2]])
    return float(median), float(low), float(high)


def window_outcomes(run, idx):
    """Per replicate: flows summed over the window's steps, stocks at its last step."""
    out = {}
    for name in METRIC_NAMES:
        if name not in run.series:
            continue
        data = run.series[name][:, idx]
        if np.isnan(data).any():
            bad = sorted(set(run.replicates[np.isnan(data).any(axis=1)].tolist()))
            raise CompareError(f"{run.path}: {name} has unwritten (NaN) values in the window for "
                               f"replicate(s) {bad}: an incomplete run file?")
        out[name] = data.sum(axis=1) if run.kinds[name] == "flow" else data[:, -1]
    return out


def summed_units(run, name):
    units = run.units.get(name, "")
    if run.kinds.get(name) == "flow" and units.endswith(" per step"):
        return units[: -len(" per step")]
    return units


@dataclasses.dataclass
class Comparison:
    runs: list
    window: Window
    outcomes: list            # per run: metric -> per-replicate values
    summary: dict             # (label, metric) -> (median, low, high)
    pairs: dict               # label -> common replicate values
    differences: dict         # (label, metric) -> per-pair differences
    diff_summary: dict        # (label, metric) -> (median, low, high)
    cost_effectiveness: list  # dicts
    notes: list
    divergence: dict          # label -> first day differing from the baseline (or None)

    @property
    def baseline(self):
        return self.runs[0]

    def metrics(self):
        present = set()
        for o in self.outcomes:
            present.update(o)
        return [m for m in METRIC_NAMES if m in present]

    def units(self, metric):
        for run in self.runs:
            if metric in run.units:
                return summed_units(run, metric)
        return ""


def paired(base, base_values, run, values):
    """Common replicate values and, per metric present in both, run minus baseline."""
    common, bi, ri = np.intersect1d(base.replicates, run.replicates, return_indices=True)
    diffs = {m: values[m][ri] - base_values[m][bi] for m in METRIC_NAMES if m in values and m in base_values}
    return common, diffs


def cost_effectiveness_rows(label, diffs):
    """Extra intervention cost per unit of effect, from paired differences.

    ratio: median extra cost / median effect, where effect is the outcome averted
    (baseline minus scenario) or, for detections, gained. n/a when the effect's
    median is not positive (nothing averted) or the extra cost's median is negative
    (the scenario saves money). low/high: 5th/95th percentile of the per-replicate
    ratios, only when every replicate pair has a positive effect.
    """
    rows = []
    if COST not in diffs:
        return rows
    cost = diffs[COST]
    cost_median = float(np.median(cost))
    for key, metric, sign, unit in EFFECTS:
        if metric not in diffs:
            continue
        effect = -sign * diffs[metric]
        effect_median = float(np.median(effect))
        row = dict(scenario=label, key=key, metric=metric, unit=unit, extra_cost=cost_median,
                   effect=effect_median, ratio=None, low=None, high=None, reason="")
        if effect_median <= 0:
            row["reason"] = "nothing averted" if sign > 0 else "no additional detections"
        elif cost_median < 0:
            row["reason"] = "saves money"
        else:
            row["ratio"] = cost_median / effect_median
            if np.all(effect > 0):
                per = cost / effect
                row["low"], row["high"] = (float(v) for v in np.percentile(per, [PERCENTILES[0], PERCENTILES[2]]))
        rows.append(row)
    return rows


def first_divergence(base, run):
    """The first day on which any headline series of `run` differs from the
    baseline in a paired replicate, over their common time steps; None if never."""
    common_t, bt, rt = np.intersect1d(base.times, run.times, return_indices=True)
    common_r, br, rr = np.intersect1d(base.replicates, run.replicates, return_indices=True)
    if common_t.size == 0 or common_r.size == 0:
        return None
    first = None
    for name in METRIC_NAMES:
        if name not in base.series or name not in run.series:
            continue
        a = base.series[name][np.ix_(br, bt)]
        b = run.series[name][np.ix_(rr, rt)]
        differs = np.nonzero(((a != b) & ~(np.isnan(a) & np.isnan(b))).any(axis=0))[0]
        if differs.size:
            k = int(differs[0])
            first = k if first is None else min(first, k)
    return None if first is None else _day(common_t[first])


def compare(paths_or_runs, start=None, end=None):
    """Everything the report shows, from run files (paths) or loaded Runs; the first is the baseline."""
    items = list(paths_or_runs)
    runs = items if items and all(isinstance(r, Run) for r in items) else load_runs(items)
    if not runs:
        raise CompareError("no run files given")
    window = select_window(runs, start, end)
    outcomes = [window_outcomes(run, idx) for run, idx in zip(runs, window.indices)]
    notes = []
    summary = {}
    for run, out in zip(runs, outcomes):
        for m, values in out.items():
            summary[(run.label, m)] = quantiles(values)
        missing = [m for m in METRIC_NAMES if m not in out]
        if missing:
            notes.append(f"{run.label}: the file lacks {', '.join(missing)} (skipped)")
    base, base_out = runs[0], outcomes[0]
    pairs, differences, diff_summary, ce, divergence = {}, {}, {}, [], {}
    for run, out in zip(runs[1:], outcomes[1:]):
        common, diffs = paired(base, base_out, run, out)
        if common.size == 0:
            raise CompareError(f"{run.path} and {base.path} have no replicate index in common")
        pairs[run.label] = common
        if len(run.replicates) != len(base.replicates) or common.size != len(run.replicates):
            notes.append(f"{run.label} has {len(run.replicates)} replicate(s), the baseline "
                         f"({base.label}) {len(base.replicates)}: differences pair the {common.size} "
                         f"common replicate(s) ({_ranges(common)})")
        if run.seed != base.seed:
            notes.append(f"{run.label} was run with seed {run.seed}, the baseline with seed {base.seed}: "
                         f"replicate pairs do not share random numbers, so the paired intervals are "
                         f"wider than they would be with one seed")
        for key, what in (("agents", "agents"), ("persons_per_agent", "persons per agent")):
            if run.attrs.get(key) != base.attrs.get(key):
                notes.append(f"{run.label} was run with {run.attrs.get(key)} {what}, the baseline with "
                             f"{base.attrs.get(key)}: the populations differ, so the differences mix the "
                             f"scenario's effect with the change of scale")
        for m, d in diffs.items():
            differences[(run.label, m)] = d
            diff_summary[(run.label, m)] = quantiles(d)
        rows = cost_effectiveness_rows(run.label, diffs)
        if not rows and COST not in diffs:
            notes.append(f"{run.label}: no cost-effectiveness ({COST} missing from "
                         f"{'the baseline' if COST not in base_out else 'this file'})")
        ce.extend(rows)
        divergence[run.label] = first_divergence(base, run)
    return Comparison(runs=runs, window=window, outcomes=outcomes, summary=summary, pairs=pairs,
                      differences=differences, diff_summary=diff_summary, cost_effectiveness=ce,
                      notes=notes, divergence=divergence)


def _ranges(values):
    values = sorted(int(v) for v in values)
    parts, begin = [], values[0]
    for a, b in zip(values, values[1:] + [None]):
        if b != a + 1:
            parts.append(f"{begin}" if begin == a else f"{begin}-{a}")
            begin = b
    return ", ".join(parts)


# --------------------------------------------------------------------------- tables

def fmt(value):
    """A number for people: thousands separators, decimals only where they matter."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    value = float(value)
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        value = float(round(value))   # percentiles of whole numbers: drop interpolation noise
    if value == 0:
        return "0"
    if abs(value) >= 100 or value == round(value):
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.1f}"
    return f"{value:.3g}"


def fmt_signed(value):
    text = fmt(value)
    return f"+{text}" if value is not None and float(value) > 0 else text


def relative(diff_median, base_median):
    if base_median == 0:
        return "n/a"
    return f"{100.0 * diff_median / base_median:+.1f}%"


def summary_table(c):
    rows = []
    for m in c.metrics():
        for run in c.runs:
            if (run.label, m) in c.summary:
                med, lo, hi = c.summary[(run.label, m)]
                rows.append([m, run.label, fmt(med), fmt(lo), fmt(hi), c.units(m)])
    return ["metric", "scenario", "median", "5%", "95%", "units"], rows


def difference_table(c):
    rows = []
    base = c.baseline.label
    for m in c.metrics():
        for run in c.runs[1:]:
            if (run.label, m) in c.diff_summary:
                med, lo, hi = c.diff_summary[(run.label, m)]
                rows.append([m, run.label, fmt_signed(med), fmt_signed(lo), fmt_signed(hi),
                             relative(med, c.summary[(base, m)][0]), len(c.pairs[run.label]), c.units(m)])
    return ["metric", "scenario", "median diff", "5%", "95%", "vs baseline median", "pairs", "units"], rows


def ce_table(c):
    rows = []
    for r in c.cost_effectiveness:
        ratio = "n/a" if r["ratio"] is None else fmt(r["ratio"])
        interval = "n/a" if r["low"] is None else f"{fmt(r['low'])} .. {fmt(r['high'])}"
        rows.append([r["scenario"], f"USD per {r['unit']}", fmt_signed(r["extra_cost"]), fmt_signed(r["effect"]),
                     ratio, interval, r["reason"]])
    return ["scenario", "measure", "extra cost (USD)", "effect", "ratio", "90% interval", "note"], rows


def text_table(header, rows, numeric):
    """A fixed-width table; the first column is shown once per group of rows."""
    shown, previous = [], None
    for row in rows:
        row = [str(x) for x in row]
        if row[0] == previous:
            row[0] = ""
        else:
            previous = row[0]
        shown.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *shown)]
    def line(cells):
        return "  ".join(str(cell).rjust(w) if i in numeric else str(cell).ljust(w)
                         for i, (cell, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in shown])


def provenance(c):
    lines = []
    for i, run in enumerate(c.runs):
        role = "baseline" if i == 0 else "scenario"
        overrides = str(run.attrs.get("scenario_overrides", "") or "").replace("\n", "; ")
        lines.append(dict(role=role, label=run.label, path=run.path, scenario_name=run.scenario_name or "(none)",
                          replicates=len(run.replicates), seed=run.seed, version=run.attrs.get("migrasim_version", ""),
                          data=f"{run.first_day} .. {run.last_day}", overrides=overrides or "none",
                          interventions="; ".join(run.interventions) or "none",
                          diverges=("(this is the baseline)" if i == 0 else
                                    str(c.divergence.get(run.label) or "never (identical to the baseline)"))))
    return lines


def window_text(c):
    w = c.window
    how = "the baseline's whole run" if (w.default_start and w.default_end) else "as given"
    return (f"{w.start} .. {w.end} ({how}; {w.times.size} step(s) of {c.baseline.step_days:g} day(s), "
            f"first step {_day(w.times[0])}, last step {_day(w.times[-1])})")


def report_text(c):
    out = []
    out.append(f"Scenario comparison, window {window_text(c)}")
    out.append("")
    for p in provenance(c):
        extra = "" if p["role"] == "baseline" else f", differs from baseline from {p['diverges']}"
        out.append(f"  {p['role']:<8} {p['label']}: {p['path']} (scenario {p['scenario_name']}, "
                   f"{p['replicates']} replicates, seed {p['seed']}, overrides: {p['overrides']}{extra})")
        if p["interventions"] != "none":
            out.append(f"           interventions: {p['interventions']}")
    out.append("")
    out.append("Cumulative outcomes over the window (flows summed, asylum_backlog at the end);")
    out.append("median and 90% interval (5th-95th percentile) across replicates")
    out.append(text_table(*summary_table(c), numeric={2, 3, 4}))
    if len(c.runs) > 1:
        out.append("")
        out.append(f"Paired differences against {c.baseline.label} (replicate r minus baseline replicate r)")
        out.append(text_table(*difference_table(c), numeric={2, 3, 4, 5, 6}))
        out.append("")
        out.append("Cost-effectiveness: median extra intervention cost / median effect "
                   "(interval: per-replicate ratios)")
        header, rows = ce_table(c)
        out.append(text_table(header, rows, numeric={2, 3, 4, 5}) if rows else "  (none: intervention_cost_usd missing)")
    if c.notes:
        out.append("")
        out.append("Notes:")
        out.extend(f"  - {n}" for n in c.notes)
    return "\n".join(out)


def tidy(c):
    """Long table: scenario, metric, statistic, value."""
    rows = []
    for run in c.runs:
        rows.append((run.label, "replicates", "count", float(len(run.replicates))))
        if run.label in c.pairs:
            rows.append((run.label, "replicates", "paired", float(len(c.pairs[run.label]))))
    for m in c.metrics():
        for run in c.runs:
            if (run.label, m) in c.summary:
                for stat, v in zip(("median", "p05", "p95"), c.summary[(run.label, m)]):
                    rows.append((run.label, m, stat, v))
            if (run.label, m) in c.diff_summary:
                for stat, v in zip(("diff_median", "diff_p05", "diff_p95"), c.diff_summary[(run.label, m)]):
                    rows.append((run.label, m, stat, v))
    for r in c.cost_effectiveness:
        for stat in ("extra_cost", "effect", "ratio", "low", "high"):
            name = {"low": "ratio_p05", "high": "ratio_p95"}.get(stat, stat)
            v = r[stat]
            rows.append((r["scenario"], r["key"], name, np.nan if v is None else float(v)))
    return pd.DataFrame(rows, columns=["scenario", "metric", "statistic", "value"])


# --------------------------------------------------------------------------- figures

def monthly(run, idx, metric):
    """Per replicate monthly values in the window: sums for flows, last step for stocks.
    A DataFrame indexed by month start, one column per replicate."""
    frame = pd.DataFrame(run.series[metric][:, idx].T, index=pd.DatetimeIndex(run.times[idx]))
    grouped = frame.resample("MS")
    return grouped.sum() if run.kinds[metric] == "flow" else grouped.last()


def figures(c):
    """name -> (title, PNG bytes)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    out = {}
    for metric in KEY_METRICS:
        if not any(metric in run.series for run in c.runs):
            continue
        fig, ax = plt.subplots(figsize=(9, 4.2), dpi=100)
        for k, (run, idx) in enumerate(zip(c.runs, c.window.indices)):
            if metric not in run.series:
                continue
            m = monthly(run, idx, metric)
            q = np.percentile(m.values, [5, 50, 95], axis=1)
            color = colors[k % len(colors)]
            ax.fill_between(m.index, q[0], q[2], color=color, alpha=0.2, linewidth=0, step=None)
            ax.plot(m.index, q[1], color=color, linewidth=1.8, marker="o", markersize=2.5,
                    label=run.label + (" (baseline)" if k == 0 and "baseline" not in run.label.lower() else ""))
        flow = any(run.kinds.get(metric) == "flow" for run in c.runs)
        what = "monthly sum" if flow else "end-of-month value"
        ax.set_title(f"{metric}: {what}, replicate median and 5-95% band")
        ax.set_ylabel(c.units(metric))
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        fig.autofmt_xdate()
        fig.tight_layout()
        out[f"timeseries_{metric}"] = (f"{metric} ({what})", _png(fig, plt))
    if len(c.runs) > 1 and c.diff_summary:
        metrics = [m for m in c.metrics() if any((r.label, m) in c.diff_summary for r in c.runs[1:])]
        ncols = 3
        nrows = int(np.ceil(len(metrics) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(12, 2.9 * nrows), dpi=100, squeeze=False)
        others = c.runs[1:]
        for ax, metric in zip(axes.flat, metrics):
            for k, run in enumerate(others):
                if (run.label, metric) not in c.diff_summary:
                    continue
                med, lo, hi = c.diff_summary[(run.label, metric)]
                ax.bar(k, med, color=colors[(k + 1) % len(colors)], alpha=0.85)
                ax.errorbar(k, med, yerr=[[med - lo], [hi - med]], color="black", capsize=4, linewidth=1)
            ax.axhline(0, color="grey", linewidth=0.8)
            ax.set_xticks(range(len(others)))
            ax.set_xticklabels([r.label for r in others], fontsize=7, rotation=15)
            ax.set_title(f"{metric} ({c.units(metric)})", fontsize=9)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(True, axis="y", alpha=0.3)
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        fig.suptitle(f"Paired differences vs {c.baseline.label}: median and 90% interval", fontsize=11)
        fig.tight_layout()
        out["differences"] = ("paired differences against the baseline", _png(fig, plt))
    return out


def _png(fig, plt):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def write_plots(figs, directory):
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (_, data) in figs.items():
        path = directory / f"{name}.png"
        path.write_bytes(data)
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- HTML

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1150px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; border-bottom: 2px solid #446; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; color: #334; }
table { border-collapse: collapse; margin: .6em 0 1em 0; font-size: .9em; }
th, td { border: 1px solid #ccd; padding: .25em .6em; }
th { background: #eef; text-align: left; }
td { overflow-wrap: anywhere; }
td { vertical-align: top; }
td.nowrap { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.first td { border-top: 2px solid #99a; }
.note { background: #f6f6ee; border-left: 4px solid #aa8; padding: .6em 1em; }
.small { font-size: .85em; color: #555; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .85em; color: #555; }
"""


def _html_table(header, rows, numeric, group_first=True, nowrap=()):
    e = html.escape
    out = ["<table>", "<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"]
    previous = None
    for row in rows:
        first = group_first and row[0] != previous
        cells = []
        for i, cell in enumerate(row):
            text = "" if (group_first and i == 0 and not first) else str(cell)
            cls = ' class="num"' if i in numeric else ' class="nowrap"' if i in nowrap else ""
            cells.append(f"<td{cls}>{e(text)}</td>")
        row_class = ' class="first"' if first else ""
        out.append(f"<tr{row_class}>" + "".join(cells) + "</tr>")
        previous = row[0]
    out.append("</table>")
    return "\n".join(out)


def report_html(c, figs):
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>migrasim scenario comparison: {e(', '.join(r.label for r in c.runs))}</title>",
             f"<style>{CSS}</style>", "</head>", "<body>"]
    parts.append("<h1>migrasim scenario comparison</h1>")
    parts.append(f"<p>Baseline <b>{e(c.baseline.label)}</b> compared with "
                 f"{e(', '.join(r.label for r in c.runs[1:])) or 'no other scenario'}; "
                 f"window {e(window_text(c))}.</p>")

    parts.append("<h2>How to read this</h2>")
    parts.append('<div class="note"><p>Each scenario was run several times (replicates) with different random '
                 "draws. Numbers are the <b>median</b> across replicates and, in brackets or as bands, the "
                 "<b>90% interval</b> (5th to 95th percentile): nine replicates in ten fall inside it. "
                 "Flows (encounters, deaths, costs, ...) are totals over the window; the asylum backlog is the "
                 "number waiting at the end of the window.</p>"
                 "<p><b>Paired differences</b> subtract, replicate by replicate, the baseline run with the same "
                 "replicate index. With the same seed both runs share their random numbers (common random "
                 "numbers), so the difference shows the effect of the scenario with much of the chance "
                 "variation removed; its interval is usually much narrower than the overlap of the two "
                 "scenarios' own intervals would suggest. "
                 "An interval that excludes 0 means the effect is consistent across replicates.</p>"
                 "<p><b>Cost-effectiveness</b> divides the median extra intervention cost by the median number "
                 "averted (or, for high-risk detections, gained). It is shown as n/a when nothing is averted "
                 "(the median effect is zero or goes the wrong way) or when the scenario saves money; its "
                 "interval comes from the per-replicate ratios and is shown only when every replicate averts "
                 "something. These are model outputs, not forecasts: compare scenarios with each other.</p></div>")

    parts.append("<h2>Runs</h2>")
    prov = provenance(c)
    fields = [("role", "role"), ("file", "path"), ("scenario_name", "scenario_name"),
              ("replicates", "replicates"), ("seed", "seed"), ("migrasim version", "version"),
              ("data", "data"), ("overrides (--set)", "overrides"), ("interventions", "interventions"),
              ("first day differing from the baseline", "diverges")]
    header = [""] + [p["label"] for p in prov]
    rows = [[name] + [p[key] for p in prov] for name, key in fields]
    parts.append(_html_table(header, rows, numeric=set(), group_first=False))
    for run in c.runs:
        yaml_text = str(run.attrs.get("scenario_yaml", "") or "")
        command = str(run.attrs.get("command_line", "") or "")
        if yaml_text or command:
            parts.append(f"<details><summary>Scenario as run: {e(run.label)} ({e(run.path)})</summary>"
                         f'<p class="small">Command line: <code>{e(command)}</code></p>'
                         f'<pre class="small">{e(yaml_text)}</pre></details>')
    parts.append(f'<p class="small">Window: {e(window_text(c))}. Steps are counted when they start in the '
                 "window.</p>")

    parts.append("<h2>Outcomes over the window</h2>")
    header, rows = summary_table(c)
    parts.append(_html_table(header, rows, numeric={2, 3, 4}))

    if len(c.runs) > 1:
        parts.append(f"<h2>Paired differences against {e(c.baseline.label)}</h2>")
        header, rows = difference_table(c)
        parts.append(_html_table(header, rows, numeric={2, 3, 4, 5, 6}))
        parts.append("<h2>Cost-effectiveness</h2>")
        header, rows = ce_table(c)
        if rows:
            parts.append(_html_table(header, rows, numeric={2, 3, 4, 5}))
        else:
            parts.append("<p>Not available: intervention_cost_usd is missing.</p>")

    if c.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in c.notes) + "</ul>")

    if figs:
        parts.append("<h2>Figures</h2>")
        for name, (title, data) in figs.items():
            b64 = base64.b64encode(data).decode("ascii")
            parts.append(f'<figure id="{e(name)}"><img alt="{e(title)}" src="data:image/png;base64,{b64}">'
                         f"<figcaption>{e(title)}</figcaption></figure>")
    parts.append('<p class="small">Generated by analysis/compare.py.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


# --------------------------------------------------------------------------- CLI

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog="The first file is the baseline.")
    parser.add_argument("files", nargs="+", metavar="RUN.h5", help="run files; the first is the baseline")
    parser.add_argument("--start", type=parse_date, help="first day of the window (YYYY-MM-DD); default: run start")
    parser.add_argument("--end", type=parse_date, help="last day of the window (YYYY-MM-DD); default: run end")
    parser.add_argument("--html", metavar="REPORT.html", help="write a self-contained HTML report")
    parser.add_argument("--plots", metavar="DIR", help="write the figures as PNG files into DIR")
    parser.add_argument("--csv", metavar="TABLE.csv", help="write a long table (scenario, metric, statistic, value)")
    args = parser.parse_args(argv)
    try:
        c = compare(args.files, args.start, args.end)
    except CompareError as error:
        print(f"compare.py: error: {error}", file=sys.stderr)
        return 2
    print(report_text(c))
    if args.csv:
        tidy(c).to_csv(args.csv, index=False, na_rep="n/a")
        print(f"\nwrote {args.csv}")
    if args.html or args.plots:
        figs = figures(c)
        if args.plots:
            for path in write_plots(figs, args.plots):
                print(f"wrote {path}")
        if args.html:
            pathlib.Path(args.html).write_text(report_html(c, figs), encoding="utf-8")
            print(f"wrote {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
