"""The comparison as people read it: text tables and a long CSV table (the HTML
report, which shows the same tables after its figures, is page.py)."""
import numpy as np
import pandas as pd

from migrasim.compare.comparison import COST
from migrasim.windows import day


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
    cost_units = c.units(COST)
    rows = []
    for r in c.cost_effectiveness:
        ratio = "n/a" if r["ratio"] is None else fmt(r["ratio"])
        interval = "n/a" if r["low"] is None else f"{fmt(r['low'])} .. {fmt(r['high'])}"
        rows.append([r["scenario"], f"{cost_units} per {r['unit']}", fmt_signed(r["extra_cost"]),
                     fmt_signed(r["effect"]), ratio, interval, r["reason"]])
    return ["scenario", "measure", f"extra cost ({cost_units})", "effect", "ratio", "90% interval", "note"], rows


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
            f"first step {day(w.times[0])}, last step {day(w.times[-1])})")


def reductions_text(c):
    """How the metrics were reduced over the window, as their cell_methods say."""
    stocks = c.stocks()
    return "flows summed" + (f", {', '.join(stocks)} at the end" if stocks else "")


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
    out.append(f"Cumulative outcomes over the window ({reductions_text(c)});")
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
        out.append(text_table(header, rows, numeric={2, 3, 4, 5}) if rows else f"  (none: {COST} missing)")
    if c.posterior is not None and len(c.runs) > 1:
        from migrasim.compare.posterior import posterior_text
        out.append("")
        out.append(posterior_text(c, c.posterior))
    if c.costs is not None:
        from migrasim.compare.costs import costs_text
        out.append("")
        out.append(costs_text(c, c.costs))
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
    if c.posterior is not None:
        from migrasim.compare.posterior import posterior_tidy
        rows.extend(posterior_tidy(c, c.posterior))
    if c.costs is not None:
        from migrasim.compare.costs import costs_tidy
        rows.extend(costs_tidy(c, c.costs))
    return pd.DataFrame(rows, columns=["scenario", "metric", "statistic", "value"])
