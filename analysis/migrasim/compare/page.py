"""The HTML report: one self-contained, interactive page.

It opens on the answer (each scenario's effects against the baseline, in words
and as a figure), then the time series, then the route, then the tables and the
runs' provenance. plotly.js is embedded once in the page's head, so the file
needs no network; each figure is a <div> drawn by one call with its data, and
says in one sentence what it shows.
"""
import html
import json

import numpy as np

from migrasim.compare import charts
from migrasim.compare.comparison import COST, PERCENTILES
from migrasim.compare.figures import KEY_METRICS
from migrasim.compare.plotlyjs import plotly_js, script_safe
from migrasim.compare.report import (ce_table, difference_table, fmt, fmt_signed, provenance, relative,
                                     summary_table, window_text)
from migrasim.compare.route import route_comparison

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1200px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; border-bottom: 2px solid #446; padding-bottom: .2em; margin-bottom: .3em; }
h2 { font-size: 1.25em; margin-top: 1.8em; color: #334; }
h3 { font-size: 1.05em; margin: 1.2em 0 .3em 0; color: #334; }
table { border-collapse: collapse; margin: .6em 0 1em 0; font-size: .9em; }
th, td { border: 1px solid #ccd; padding: .25em .6em; }
th { background: #eef; text-align: left; }
td { overflow-wrap: anywhere; vertical-align: top; }
td.nowrap { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.first td { border-top: 2px solid #99a; }
.note { background: #f6f6ee; border-left: 4px solid #aa8; padding: .6em 1em; }
.warn { background: #fff4e5; border-left: 4px solid #e6a23c; padding: .4em 1em; }
.small { font-size: .85em; color: #555; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: .8em; margin: .8em 0; }
.card { border: 1px solid #ccd; border-top: 5px solid var(--c); border-radius: 4px; padding: .5em .9em; }
.card h3 { margin: .1em 0 .3em 0; }
.card ul { margin: .2em 0; padding-left: 1.1em; }
.card li { margin: .15em 0; }
.card .unclear { color: #777; }
.card .sub { font-size: .82em; color: #555; }
.swatch { display: inline-block; width: .8em; height: .8em; background: var(--c); margin-right: .35em; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 1em; }
figure { margin: .8em 0 1.2em 0; }
figcaption { font-size: .88em; color: #444; margin-top: .2em; }
.chart { width: 100%; min-height: 240px; }
.chart-error { color: #a00; border: 1px solid #a00; padding: .5em; }
"""

# Draws one figure into its <div>; a figure that fails says so in its place (and
# on the console) instead of leaving a blank space.
DRAW = """
var migrasimTemplate = %s;
var migrasimConfig = {displaylogo: false, responsive: true,
  modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
  toImageButtonOptions: {format: "png", scale: 2}};
function migrasimDraw(id, figure) {
  var element = document.getElementById(id);
  try {
    if (typeof Plotly === "undefined") { throw new Error("plotly.js did not load"); }
    figure.layout.template = migrasimTemplate;
    var config = Object.assign({}, migrasimConfig,
      {toImageButtonOptions: Object.assign({filename: id}, migrasimConfig.toImageButtonOptions)});
    Plotly.newPlot(element, figure.data, figure.layout, config);
  } catch (error) {
    element.className += " chart-error";
    element.textContent = "This figure could not be drawn: " + error;
    console.error("migrasim report: figure " + id + ": " + error);
  }
}
"""


def json_for_script(value):
    """JSON to place inside a <script> element: '<' is written as \\u003c, so no
    text in the data (a scenario name, a path) can end the element."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def _template():
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def _figure_json(fig):
    """A figure's data and layout as plain JSON, without the template (shared once per page)."""
    import plotly.io as pio

    spec = json.loads(pio.to_json(fig, validate=False))
    spec.get("layout", {}).pop("template", None)
    return {"data": spec.get("data", []), "layout": spec.get("layout", {})}


class Page:
    """The report's body as it is built: HTML parts and figures, in order."""

    def __init__(self):
        self.parts = []
        self.figure_ids = []

    def add(self, text):
        self.parts.append(text)

    def figure(self, name, fig, caption, css_class="chart"):
        """A figure and its one-sentence caption; nothing when fig is None."""
        if fig is None:
            return
        ident = f"figure-{name}"
        self.figure_ids.append(ident)
        self.add(f'<figure><div class="{css_class}" id="{html.escape(ident)}"></div>'
                 f"<script>migrasimDraw({json_for_script(ident)}, {json_for_script(_figure_json(fig))});</script>"
                 f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _html_table(header, rows, numeric, group_first=True, nowrap=()):
    e = html.escape
    out = ["<table>", "<tr>" + "".join(f"<th>{e(str(h))}</th>" for h in header) + "</tr>"]
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


def short(value, signed=False):
    """A number for a sentence: millions and billions in words, else as in the tables."""
    if value is None or not np.isfinite(value):
        return "n/a"
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            text = f"{value / size:,.3g} {word}"
            return ("+" + text) if signed and value > 0 else text
    return fmt_signed(value) if signed else fmt(value)


def _effect_line(c, run, metric):
    """One outcome of one scenario against the baseline, in words (HTML)."""
    med, lo, hi = c.diff_summary[(run.label, metric)]
    base_median = c.summary[(c.baseline.label, metric)][0]
    rel = f" ({relative(med, base_median)})" if base_median != 0 else ""
    spread = ("the same in every replicate pair" if lo == hi else
              f"90% interval {short(lo, True)} to {short(hi, True)}")
    return (f"<li><b>{html.escape(charts.label(metric))}</b> {html.escape(short(med, True))} "
            f"{html.escape(c.units(metric))}{html.escape(rel)}; {html.escape(spread)}</li>")


def _cards(c):
    """Per scenario, in words: the outcomes it changed consistently (the 90%
    interval of the paired change excludes 0), then those it did not, then the
    cost per outcome averted."""
    out = ['<div class="cards">']
    for k, run in enumerate(c.runs[1:], start=1):
        metrics = [m for m in charts.headline_order(c) if (run.label, m) in c.diff_summary]
        consistent = [m for m in metrics if c.diff_summary[(run.label, m)][1] > 0
                      or c.diff_summary[(run.label, m)][2] < 0]
        unchanged = [m for m in metrics if c.diff_summary[(run.label, m)] == (0, 0, 0)]
        unclear = [m for m in metrics if m not in consistent and m not in unchanged]
        lines = [_effect_line(c, run, m) for m in consistent]
        for what, group in (("no consistent change", unclear), ("unchanged in every replicate pair", unchanged)):
            if group:
                lines.append(f'<li class="unclear">{what}: '
                             f'{html.escape(", ".join(charts.label(m) for m in group))}</li>')
        ce = [r for r in c.cost_effectiveness if r["scenario"] == run.label and r["ratio"] is not None]
        ce_lines = [f"<li>{html.escape(short(r['ratio']))} {html.escape(c.units(COST))} per "
                    f"{html.escape(r['unit'])}"
                    + (f" (90%: {html.escape(short(r['low']))} to {html.escape(short(r['high']))})"
                       if r["low"] is not None else "") + "</li>" for r in ce]
        interventions = "; ".join(run.interventions) or "no interventions recorded in the file"
        out.append(f'<div class="card" style="--c: {charts.color(k)}">'
                   f'<h3><span class="swatch"></span>{html.escape(run.label)}</h3>'
                   f'<div class="sub">{html.escape(interventions)}</div>'
                   f"<ul>{''.join(lines)}</ul>"
                   + (f'<div class="sub">Cost-effectiveness:</div><ul>{"".join(ce_lines)}</ul>' if ce_lines else "")
                   + "</div>")
    out.append("</div>")
    return "\n".join(out)


def _baseline_card(c):
    """With no scenario to compare, the baseline's own outcomes."""
    base = c.baseline
    lines = []
    for m in [m for m in charts.headline_order(c) if (base.label, m) in c.summary]:
        med, lo, hi = c.summary[(base.label, m)]
        lines.append(f"<li><b>{html.escape(charts.label(m))}</b>: {html.escape(fmt(med))} "
                     f"{html.escape(c.units(m))}, 90% interval {html.escape(fmt(lo))} to {html.escape(fmt(hi))}</li>")
    return (f'<div class="cards"><div class="card" style="--c: {charts.color(0)}">'
            f'<h3><span class="swatch"></span>{html.escape(base.label)}</h3><ul>{"".join(lines)}</ul></div></div>')


def route_tables(c, rc):
    """Per route axis, a table of every series: entity, scenario, median and 90%
    interval, and the paired change against the baseline."""
    out = []
    for dim in rc.dims():
        for name in rc.names(dim):
            present = [(k, per_run[(dim, name)]) for k, per_run in enumerate(rc.series) if (dim, name) in per_run]
            first = present[0][1]
            entities = list(dict.fromkeys(e for _, s in present for e in s.labels))
            rows = []
            for entity in entities:
                for k, s in present:
                    if entity not in s.labels:
                        continue
                    j = s.labels.index(entity)
                    lo, med, hi = np.percentile(s.values[:, j], PERCENTILES)
                    diff = ["", "", ""]
                    d = rc.differences[k].get((dim, name))
                    if k > 0 and d is not None and not np.isnan(d[:, j]).any():
                        dlo, dmed, dhi = np.percentile(d[:, j], PERCENTILES)
                        diff = [fmt_signed(dmed), fmt_signed(dlo), fmt_signed(dhi)]
                    rows.append([entity, c.runs[k].label, fmt(med), fmt(lo), fmt(hi), *diff])
            when = "total over the window" if first.reduction == "sum" else "at the end of the window"
            out.append(f"<h3>{html.escape(name)} per {html.escape(dim)}</h3>"
                       f'<p class="small">{html.escape(first.long_name)}, {html.escape(first.units)}, {when}.</p>')
            out.append(_html_table([dim, "scenario", "median", "5%", "95%", "diff median", "diff 5%", "diff 95%"],
                                   rows, numeric={2, 3, 4, 5, 6, 7}))
    return out


def report_html(c, rc=None):
    """The self-contained interactive HTML report of a comparison, as text (rc: its
    route_comparison, computed here when not given)."""
    e = html.escape
    rc = route_comparison(c) if rc is None else rc
    page = Page()
    others = c.runs[1:]
    page.add("<h1>migrasim scenario comparison</h1>")
    page.add(f"<p>Baseline <b>{e(c.baseline.label)}</b> against "
             f"{e(', '.join(r.label for r in others)) or 'no other scenario'}; window {e(window_text(c))}. "
             "Medians across replicates with 90% intervals; changes are paired replicate by replicate.</p>")

    # The answer first.
    if others:
        page.add(f"<h2>Effects against {e(c.baseline.label)}</h2>")
        page.add(_cards(c))
        page.figure("headline", charts.headline_figure(c),
                    "One panel per outcome, in its own units: each dot is a scenario's median change against the "
                    "baseline over the window, paired replicate by replicate, and its bar the 90% interval across "
                    "replicate pairs (a bar clear of the zero line is a change seen in at least nine pairs in ten).")
    else:
        page.add(f"<h2>Outcomes of {e(c.baseline.label)}</h2>")
        page.add(_baseline_card(c))
    if c.notes:
        page.add('<div class="warn"><b>Read with care:</b><ul>' + "".join(f"<li>{e(n)}</li>" for n in c.notes)
                 + "</ul></div>")

    page.add("<h2>Over time</h2>")
    page.add('<div class="grid">')
    flat = []
    for metric in KEY_METRICS:
        if not any(metric in run.series for run in c.runs):
            continue
        if all(not np.any(run.series[metric][:, idx]) for run, idx in zip(c.runs, c.window.indices)
               if metric in run.series):
            flat.append(metric)
            continue
        page.figure(f"timeseries-{metric}", charts.timeseries_figure(c, metric), charts.timeseries_caption(c, metric))
    page.add("</div>")
    if flat:
        page.add(f'<p class="small">0 throughout the window in every run, so not drawn: '
                 f'{e(", ".join(charts.label(m) for m in flat))}.</p>')

    page.add("<h2>The route</h2>")
    route = charts.route_figure(c, rc)
    if route is None:
        page.add("<p>The files hold no route (no scenario text and no node axis).</p>")
    page.figure("route", route, charts.route_caption(c, rc))

    page.add("<h2>How to read this</h2>")
    page.add('<div class="note"><p>Each scenario was run several times (replicates) with different random '
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
             "something. These are model outputs, not forecasts: compare scenarios with each other.</p>"
             "<p><b>The figures</b> are interactive: hover for values, drag to zoom (double-click to zoom "
             "out), click a legend entry to hide or show a scenario, and use the camera button to save a "
             "figure as PNG.</p></div>")

    page.add("<h2>Outcomes over the window</h2>")
    header, rows = summary_table(c)
    page.add(_html_table(header, rows, numeric={2, 3, 4}))
    if others:
        page.add(f"<h2>Paired differences against {e(c.baseline.label)}</h2>")
        header, rows = difference_table(c)
        page.add(_html_table(header, rows, numeric={2, 3, 4, 5, 6}))
        page.add("<h2>Cost-effectiveness</h2>")
        header, rows = ce_table(c)
        page.add(_html_table(header, rows, numeric={2, 3, 4, 5}) if rows
                 else f"<p>Not available: {e(COST)} is missing.</p>")
    if others and c.posterior is not None:
        from migrasim.compare.posterior import ranking_lines, split_table
        pe = c.posterior
        page.add("<h2>Over the posterior</h2>")
        page.add("<p>Each replicate ran one draw of the calibrated parameters (a posterior particle), so the "
                 "intervals above hold parameter and chance uncertainty together. Below, the spread of each "
                 "effect split into the two (law of total variance over replicates grouped by particle), the "
                 "probability that the effect is a decrease, and how often each order of the policies holds "
                 "(docs/report.md).</p>")
        if pe.statements:
            page.add(f'<div class="warn"><b>Where the data cannot decide</b> (an order or a sign that fails in '
                     f"more than {100 * pe.flip_share:.0f}% of draws), and where better data, not more runs, would "
                     f"narrow an effect:<ul>"
                     + "".join(f"<li>{e(t.strip())}</li>" for t in pe.statements) + "</ul></div>")
        header, rows = split_table(c, pe)
        page.add(_html_table(header, rows, numeric={2, 4, 5, 6, 7, 8, 9, 10}))
        if pe.rankings:
            page.add("<pre>" + e("\n".join(line for r in pe.rankings for line in ranking_lines(r))) + "</pre>")
        if pe.notes:
            page.add('<p class="small">' + "<br>".join(e(n) for n in pe.notes) + "</p>")
    if c.costs is not None:
        from migrasim.compare.costs import costs_html
        page.add("<h2>Cost ranges</h2>")
        page.add(costs_html(c, c.costs, _html_table))
    tables = route_tables(c, rc)
    if tables:
        page.add("<h2>Along the route</h2>")
        page.parts += tables

    page.add("<h2>Runs</h2>")
    prov = provenance(c)
    fields = [("role", "role"), ("file", "path"), ("scenario_name", "scenario_name"),
              ("replicates", "replicates"), ("seed", "seed"), ("migrasim version", "version"),
              ("data", "data"), ("overrides (--set)", "overrides"), ("interventions", "interventions"),
              ("first day differing from the baseline", "diverges")]
    header = [""] + [p["label"] for p in prov]
    rows = [[name] + [p[key] for p in prov] for name, key in fields]
    if any(run.particle is not None for run in c.runs):
        rows.append(["posterior particles"] + [
            "none" if run.particle is None else
            f"{np.unique(run.particle).size} particle(s) over {run.particle.size} replicate(s)" for run in c.runs])
    page.add(_html_table(header, rows, numeric=set(), group_first=False))
    for run in c.runs:
        yaml_text = str(run.attrs.get("scenario_yaml", "") or "")
        command = str(run.attrs.get("command_line", "") or "")
        if yaml_text or command:
            page.add(f"<details><summary>Scenario as run: {e(run.label)} ({e(run.path)})</summary>"
                     f'<p class="small">Command line: <code>{e(command)}</code></p>'
                     f'<pre class="small">{e(yaml_text)}</pre></details>')
    page.add(f'<p class="small">Window: {e(window_text(c))}. Steps are counted when they start in the window.</p>')

    library, what = plotly_js()
    page.add(f'<p class="small">Generated by migrasim.compare (analysis/migrasim/compare); figures drawn with '
             f"{e(what)}, embedded in this file.</p>")
    head = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>migrasim scenario comparison: {e(', '.join(r.label for r in c.runs))}</title>",
            f"<style>{CSS}</style>",
            f"<script>{script_safe(library)}</script>",
            f"<script>{DRAW % json_for_script(_template())}</script>",
            "</head>", "<body>",
            "<noscript><p class=\"warn\">The figures need JavaScript; the tables below are complete without it."
            "</p></noscript>"]
    return "\n".join(head + page.parts + ["</body></html>"])
