"""The comparison itself: the common window, outcomes per replicate, paired
differences against the baseline and cost-effectiveness."""
import dataclasses
import datetime as dt

import numpy as np

from migrasim.compare.runs import METRICS, CompareError, Run, load_runs, select_metric
from migrasim.windows import day, reduce_time, summed_units

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


@dataclasses.dataclass
class Window:
    start: dt.date
    end: dt.date
    default_start: bool
    default_end: bool
    indices: list           # per run: integer index array of the steps in the window
    times: np.ndarray       # the steps (common to all runs)


def select_window(runs, start=None, end=None):
    """The steps whose start lies in [start, end] (default: the baseline's whole run),
    checked to lie inside every file's data and to be the same steps in every file."""
    base = runs[0]
    default_start, default_end = start is None, end is None
    start = base.first_day if start is None else day(start)
    end = base.last_day if end is None else day(end)
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
                    f"{day(t[0])} to {day(t[-1])}")
        detail = f"{describe(run, these)}, {describe(base, ref)}"
        if these.shape == ref.shape and run.step_days == base.step_days:
            k = int(np.nonzero(these != ref)[0][0])
            detail += f"; step {k} starts on {day(these[k])} in one and {day(ref[k])} in the other"
        raise CompareError(f"the time axes differ in the window {start} .. {end}: {detail}")
    return Window(start=start, end=end, default_start=default_start, default_end=default_end,
                  indices=indices, times=ref)


def quantiles(values):
    """(median, 5th percentile, 95th percentile), numpy's linear interpolation."""
    values = np.asarray(values, dtype=float)
    low, median, high = np.percentile(values, [PERCENTILES[0], PERCENTILES[1], PERCENTILES[2]])
    return float(median), float(low), float(high)


def window_outcomes(run, idx, extra=()):
    """Per replicate: each metric (METRICS, then the `extra` ones selected with
    --metric) reduced over the window's steps as its cell_methods says (flows
    summed, stocks at the last step)."""
    out = {}
    for name in list(METRICS) + [m for m in extra if m not in METRICS]:
        if name not in run.series:
            continue
        data = run.series[name][:, idx]
        if np.isnan(data).any():
            bad = sorted(set(run.replicates[np.isnan(data).any(axis=1)].tolist()))
            raise CompareError(f"{run.path}: {name} has unwritten (NaN) values in the window for "
                               f"replicate(s) {bad}: an incomplete run file?")
        out[name] = reduce_time(data, run.reductions[name], axis=1)
    return out


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
    posterior: object = None  # posterior.PosteriorEffects when runs record particles, else None
    costs: object = None      # costs.CostRanges when a costs file was given, else None
    extra_metrics: list = dataclasses.field(default_factory=list)  # selected with --metric, after METRICS

    @property
    def baseline(self):
        return self.runs[0]

    def metrics(self):
        present = set()
        for o in self.outcomes:
            present.update(o)
        return [m for m in METRICS if m in present] + [m for m in self.extra_metrics
                                                       if m in present and m not in METRICS]

    def reduction(self, metric):
        """How the metric is reduced over the window ("sum" or "last"), as the first
        file that has it says."""
        return next((run.reductions[metric] for run in self.runs if metric in run.reductions), None)

    def units(self, metric):
        """The units of the metric over the window (a sum of "X per step" is in X)."""
        for run in self.runs:
            if metric in run.units:
                return summed_units(run.units[metric], run.reductions[metric])
        return ""

    def stocks(self):
        """The metrics read at the end of the window rather than summed over it."""
        return [m for m in self.metrics() if self.reduction(m) == "last"]


def paired(base, base_values, run, values):
    """Common replicate values and, per metric present in both, run minus baseline."""
    common, bi, ri = np.intersect1d(base.replicates, run.replicates, return_indices=True)
    diffs = {m: values[m][ri] - base_values[m][bi] for m in base_values if m in values}
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
    for name in METRICS:
        if name not in base.series or name not in run.series:
            continue
        a = base.series[name][np.ix_(br, bt)]
        b = run.series[name][np.ix_(rr, rt)]
        differs = np.nonzero(((a != b) & ~(np.isnan(a) & np.isnan(b))).any(axis=0))[0]
        if differs.size:
            k = int(differs[0])
            first = k if first is None else min(first, k)
    return None if first is None else day(common_t[first])


def metric_keys(specs):
    """The keys of the series selected with --metric (NAME or NAME@PLACE, spaces
    around the parts dropped), in order, without repeats."""
    keys = []
    for spec in specs or ():
        name, at, place = str(spec).strip().partition("@")
        key = f"{name.strip()}@{place.strip()}" if at else name.strip()
        if key not in keys:
            keys.append(key)
    return keys


def compare(paths_or_runs, start=None, end=None, flip_share=None, costs=None, metrics=None):
    """Everything the report shows, from run files (paths) or loaded Runs; the first is the baseline.

    flip_share: over a posterior, an order or sign that fails in more than this
    share of draws is reported as undecided (default posterior.FLIP_SHARE).
    costs: a costs file (path) or a loaded costs.Costs, for cost ranges with
    downstream costs (docs/report.md, "Cost ranges").
    metrics: series to report besides METRICS, each NAME (a scalar series) or
    NAME@PLACE (one node, edge, checkpoint or network of a series on that axis,
    e.g. "edge_deaths@necocli->darien_gap"); reduced over the window as the
    others and shown in every table (docs/report.md, "More metrics")."""
    items = list(paths_or_runs)
    runs = items if items and all(isinstance(r, Run) for r in items) else load_runs(items)
    if not runs:
        raise CompareError("no run files given")
    extra = metric_keys(metrics)
    for spec in extra:
        if not spec.partition("@")[0] or spec.endswith("@"):
            raise CompareError(f"--metric {spec!r}: expected NAME or NAME@PLACE")
    runs = [_with_metrics(run, extra) for run in runs]
    window = select_window(runs, start, end)
    outcomes = [window_outcomes(run, idx, extra) for run, idx in zip(runs, window.indices)]
    notes = []
    summary = {}
    for run, out in zip(runs, outcomes):
        for m, values in out.items():
            summary[(run.label, m)] = quantiles(values)
        missing = [m for m in METRICS if m not in out]
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
    c = Comparison(runs=runs, window=window, outcomes=outcomes, summary=summary, pairs=pairs,
                   differences=differences, diff_summary=diff_summary, cost_effectiveness=ce,
                   notes=notes, divergence=divergence, extra_metrics=extra)
    from migrasim.compare import posterior as posterior_module
    c.posterior = posterior_module.posterior_effects(
        c, posterior_module.FLIP_SHARE if flip_share is None else flip_share)
    if costs is not None:
        from migrasim.compare import costs as costs_module
        c.costs = costs_module.cost_ranges(c, costs)
    return c


def _with_metrics(run, keys):
    for key in keys:
        run = select_metric(run, key)
    return run


def _ranges(values):
    values = sorted(int(v) for v in values)
    parts, begin = [], values[0]
    for a, b in zip(values, values[1:] + [None]):
        if b != a + 1:
            parts.append(f"{begin}" if begin == a else f"{begin}-{a}")
            begin = b
    return ", ".join(parts)
