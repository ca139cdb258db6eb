"""The comparison as people read it: text tables, a long CSV table and a
self-contained HTML report with the figures embedded."""
import base64
import html

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
                 "Flows (encounters, deaths, costs, ...) are totals over the window"
                 + (f"; {e(', '.join(c.stocks()))}: the value at the end of the window" if c.stocks() else "")
                 + ".</p>"
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
            parts.append(f"<p>Not available: {e(COST)} is missing.</p>")

    if c.notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in c.notes) + "</ul>")

    if figs:
        parts.append("<h2>Figures</h2>")
        for name, (title, data) in figs.items():
            b64 = base64.b64encode(data).decode("ascii")
            parts.append(f'<figure id="{e(name)}"><img alt="{e(title)}" src="data:image/png;base64,{b64}">'
                         f"<figcaption>{e(title)}</figcaption></figure>")
    parts.append('<p class="small">Generated by migrasim.compare (analysis/migrasim/compare).</p>')
    parts.append("</body></html>")
    return "\n".join(parts)

