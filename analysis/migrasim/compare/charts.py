"""The interactive figures of the HTML report, as Plotly figures: the headline
effects against the baseline, time series with replicate (and parameter) bands,
and the route with its flows, deaths and apprehensions per scenario.

Each function returns a plotly.graph_objects.Figure (validated as it is built)
or None when the comparison has nothing to draw; page.py embeds them.
"""
import html

import numpy as np
import pandas as pd

from migrasim.compare.comparison import PERCENTILES
from migrasim.compare.report import fmt, fmt_signed
from migrasim.compare.route import deaths_series, edge_flows, edge_path, flow_series
from migrasim.windows import reduce_groups, summed_units

BASELINE_COLOR = "#404040"
# matplotlib's tab10 without its grey, which is the baseline's.
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
          "#17becf"]
KIND_COLORS = {"origin": "#6a51a3", "transit": "#9ecae1", "border": "#fd8d3c", "destination": "#31a354"}
EDGE_COLOR, UNKNOWN_EDGE_COLOR = "#4a6fa5", "#b0b0b0"
DEATH_COLOR, CHECKPOINT_COLOR = "#a50f15", "#e6550d"
FONT = dict(family='-apple-system, "Segoe UI", Helvetica, Arial, sans-serif', size=12, color="#222")


def color(k):
    """The colour of run k (0 is the baseline) in every figure."""
    return BASELINE_COLOR if k == 0 else COLORS[(k - 1) % len(COLORS)]


def rgba(hex_color, alpha):
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def label(metric):
    """A metric's name for people; a unit in the name is left to the units shown with it."""
    return metric.removesuffix("_usd").replace("_", " ")


def number_format(values):
    """A d3 number format for hover labels: whole numbers with separators for
    counts, three significant digits for small quantities."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    big = values.size == 0 or np.nanmax(np.abs(values)) >= 100 or np.all(values == np.round(values))
    return ",.0f" if big else ",.3~g"


def rounded(values, digits=6):
    """Floats rounded to `digits` significant digits: what a reader can see, and a
    smaller file."""
    return [None if not np.isfinite(v) else float(f"{v:.{digits}g}") for v in np.asarray(values, float)]


def base_layout(**extra):
    layout = dict(font=FONT, margin=dict(l=70, r=20, t=40, b=50), paper_bgcolor="white",
                  plot_bgcolor="white", hoverlabel=dict(font=dict(size=12)))
    layout.update(extra)
    return layout


def run_names(c):
    return [run.label + (" (baseline)" if k == 0 else "") for k, run in enumerate(c.runs)]


# The outcomes the report names first, when the files have them; the others follow
# in the order of runs.METRICS.
HEADLINE = ["border_encounters", "smuggled_departures", "deaths", "smuggler_revenue_usd", "false_positives",
            "high_risk_detected", "asylum_backlog", "legal_pathway_entries", "intervention_cost_usd"]


def headline_order(c):
    """The comparison's metrics, HEADLINE first."""
    return [m for m in HEADLINE if m in c.metrics()] + [m for m in c.metrics() if m not in HEADLINE]


def headline_metrics(c):
    """The metrics of the headline figure: those with a paired difference other
    than exactly 0 for some scenario (a metric no scenario moves in any replicate
    pair has nothing to show)."""
    return [m for m in headline_order(c)
            if any((run.label, m) in c.diff_summary and c.diff_summary[(run.label, m)] != (0, 0, 0)
                   for run in c.runs[1:])]


HEADLINE_COLUMNS = 3


def headline_figure(c):
    """Per metric (one panel each, in its own units), each scenario's paired change
    against the baseline over the window: the median and the 90% interval over
    replicate pairs."""
    import plotly.graph_objects as go

    metrics = headline_metrics(c)
    others = list(enumerate(c.runs))[1:]
    if not metrics or not others:
        return None
    base = c.baseline.label
    names = [run.label for _, run in others]
    rows = -(-len(metrics) // HEADLINE_COLUMNS)
    panel_px, title_px = 46 + 20 * len(others), 40     # a panel's height, and the space for its title
    height = rows * (panel_px + title_px) + 60
    gap_x = 0.08
    width = (1.0 - gap_x * (HEADLINE_COLUMNS - 1)) / HEADLINE_COLUMNS
    traces, layout, titles = [], {}, []
    for i, m in enumerate(metrics):
        row, col = divmod(i, HEADLINE_COLUMNS)
        n = "" if i == 0 else str(i + 1)
        top = 1.0 - row * (panel_px + title_px) / (height - 60)
        x0 = col * (width + gap_x)
        base_median = c.summary[(base, m)][0] if (base, m) in c.summary else 0.0
        extent = []
        for k, run in others:
            if (run.label, m) not in c.diff_summary:
                continue
            med, lo, hi = c.diff_summary[(run.label, m)]
            extent += [lo, hi]
            traces.append(go.Scatter(
                x=rounded([med]), y=[run.label], xaxis=f"x{n}", yaxis=f"y{n}", mode="markers", name=run.label,
                legendgroup=run.label, showlegend=i == 0, marker=dict(color=color(k), size=9),
                error_x=dict(type="data", symmetric=False, array=rounded([hi - med]), arrayminus=rounded([med - lo]),
                             color=color(k), thickness=2, width=0),
                hovertemplate=(f"<b>{html.escape(run.label)}</b>: {html.escape(label(m))} {fmt_signed(med)} "
                               f"{html.escape(c.units(m))}{relative_text(med, base_median)}<br>90% interval "
                               f"{fmt_signed(lo)} to {fmt_signed(hi)}<extra></extra>")))
        big = max([abs(v) for v in extent] + [0.0]) >= 1e4
        layout[f"xaxis{n}"] = dict(domain=[x0, x0 + width], anchor=f"y{n}", zeroline=True, zerolinecolor="#777",
                                   zerolinewidth=1.5, gridcolor="#eee", exponentformat="B" if big else "none")
        layout[f"yaxis{n}"] = dict(domain=[top - panel_px / (height - 60), top - title_px / (height - 60) * 0.5],
                                   anchor=f"x{n}", type="category", categoryorder="array", categoryarray=names,
                                   autorange="reversed", showticklabels=col == 0, showgrid=False, automargin=True)
        titles.append(dict(text=f"{label(m)} ({c.units(m)})", x=x0 + width / 2, xref="paper", xanchor="center",
                           y=top, yref="paper", yanchor="top", showarrow=False, font=dict(size=12)))
    layout.update(base_layout(
        height=height, hovermode="closest", showlegend=True, annotations=titles,
        margin=dict(l=10, r=20, t=60, b=30),
        legend=dict(orientation="h", yanchor="bottom", y=1.0 + 30.0 / (height - 60), xanchor="left", x=0,
                    title=dict(text="against " + base + ":"))))
    return go.Figure(data=traces, layout=layout)


def relative_text(diff, base_median):
    """The change in percent of the baseline's median, as hover text ('' when that is 0)."""
    return "" if base_median == 0 else f" ({100.0 * diff / abs(base_median):+.1f}% of the baseline median)"


def resolution(c):
    """(pandas rule, what one point is) for the time series: months for windows
    of four months or more, weeks for four weeks or more, else steps."""
    days = (c.window.end - c.window.start).days + 1
    if days >= 120:
        return "MS", "month"
    if days >= 28:
        return "7D", "week"
    return None, "step"


def binned(run, idx, metric, rule):
    """Per replicate values per point in the window (columns: replicates), reduced
    as the metric's cell_methods says: flows summed, stocks at the last step."""
    frame = pd.DataFrame(run.series[metric][:, idx].T, index=pd.DatetimeIndex(run.times[idx]))
    if rule is None:
        return frame
    return reduce_groups(frame.resample(rule, origin="start"), run.reductions[metric])


def particle_means(values, particle):
    """Each replicate's value replaced by the mean over the replicates that ran the
    same posterior particle (values: points x replicates): what is left of the spread
    is the parameters', with the chance variation averaged out."""
    out = np.empty_like(values)
    for p in np.unique(particle):
        members = particle == p
        out[:, members] = values[:, members].mean(axis=1, keepdims=True)
    return out


def parameter_band(run):
    """True when run's replicates share posterior particles, so the spread of the
    particles' means differs from the replicates' spread."""
    return run.particle is not None and np.unique(run.particle).size < run.particle.size


def timeseries_figure(c, metric):
    """The metric over the window per scenario: median line, 90% replicate band,
    and a darker parameter band where replicates share posterior particles."""
    import plotly.graph_objects as go

    rule, point = resolution(c)
    traces, values_seen = [], []
    for k, (run, idx) in enumerate(zip(c.runs, c.window.indices)):
        if metric not in run.series:
            continue
        frame = binned(run, idx, metric, rule)
        values = frame.to_numpy(dtype=float)
        q = np.percentile(values, PERCENTILES, axis=1)
        values_seen.append(q)
        x = [t.strftime("%Y-%m-%d") for t in frame.index]
        group, col = run.label, color(k)
        bands = [(q[0], q[2], 0.16, "90% of replicates")]
        if parameter_band(run):
            pq = np.percentile(particle_means(values, run.particle), PERCENTILES, axis=1)
            bands.append((pq[0], pq[2], 0.32, "90% of parameter draws"))
        for low, high, alpha, what in bands:
            traces.append(go.Scatter(x=x, y=rounded(low), mode="lines", line=dict(width=0, color=col),
                                     legendgroup=group, showlegend=False, hoverinfo="skip"))
            traces.append(go.Scatter(x=x, y=rounded(high), mode="lines", line=dict(width=0, color=col),
                                     fill="tonexty", fillcolor=rgba(col, alpha), legendgroup=group,
                                     showlegend=False, hoverinfo="skip", name=f"{run.label}: {what}"))
        custom = np.stack([rounded(q[0]), rounded(q[2])], axis=1).tolist()
        traces.append(go.Scatter(x=x, y=rounded(q[1]), mode="lines+markers", name=run_names(c)[k],
                                 legendgroup=group, line=dict(color=col, width=2.2), marker=dict(size=4),
                                 customdata=custom, meta=[run.label]))
    if not traces:
        return None
    seen = np.concatenate([q.ravel() for q in values_seen])
    fmt_d3 = number_format(seen)
    for trace in traces:
        if trace.customdata is not None:
            trace.hovertemplate = (f"%{{meta[0]}}: %{{y:{fmt_d3}}} "
                                   f"(90%: %{{customdata[0]:{fmt_d3}}} to %{{customdata[1]:{fmt_d3}}})"
                                   "<extra></extra>")
    units = summed_units(next(r.units[metric] for r in c.runs if metric in r.units), c.reduction(metric))
    per = f"{units} per {point}" if c.reduction(metric) == "sum" else f"{units}, end of {point}"
    hover_date = {"month": "%b %Y", "week": "week of %d %b %Y", "step": "%d %b %Y"}[point]
    return go.Figure(data=traces, layout=base_layout(
        height=340, hovermode="x unified",
        title=dict(text=f"{label(metric)}", x=0.01, xanchor="left", font=dict(size=14)),
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0, font=dict(size=11)),
        margin=dict(l=70, r=15, t=40, b=40),
        xaxis=dict(type="date", hoverformat=hover_date, gridcolor="#eee"),
        yaxis=dict(title=per, rangemode="tozero", gridcolor="#eee",
                   exponentformat="B" if np.nanmax(np.abs(seen), initial=0.0) >= 1e4 else "none")))


def timeseries_caption(c, metric):
    """One sentence saying what the time series of `metric` shows."""
    rule, point = resolution(c)
    what = "summed over each " + point if c.reduction(metric) == "sum" else "at the end of each " + point
    partial = ""
    if rule == "MS" and (c.window.start.day != 1 or (c.window.end + pd.Timedelta(days=1)).day != 1):
        partial = "; a month cut by the window holds only its days in the window"
    posterior = any(parameter_band(r) for r in c.runs)
    bands = ("the pale band holds 90% of replicates and the darker one 90% of posterior parameter draws "
             "(replicates of one particle averaged)" if posterior else "the band holds 90% of replicates")
    return (f"{label(metric).capitalize()} {what} in each scenario: the line is the median across "
            f"replicates, {bands}; click a legend entry to hide or show a scenario{partial}.")


def _summary_text(values, units, fmt_value=fmt):
    lo, med, hi = np.percentile(values, PERCENTILES)
    return f"{fmt_value(med)} {units} (90%: {fmt_value(lo)} to {fmt_value(hi)})"


def _series_lines(rc, k, dim, entity, skip=()):
    """Hover lines for every series on `dim` at `entity` in run k, with the change
    against the baseline's same entity."""
    lines = []
    for (d, name), s in rc.series[k].items():
        if d != dim or entity not in s.labels or name in skip:
            continue
        j = s.labels.index(entity)
        when = "" if s.reduction == "sum" else " at the window's end"
        text = f"{html.escape(name)}{when}: {_summary_text(s.values[:, j], html.escape(s.units))}"
        diffs = rc.differences[k].get((dim, name))
        if k > 0 and diffs is not None and not np.isnan(diffs[:, j]).any():
            lo, med, hi = np.percentile(diffs[:, j], PERCENTILES)
            text += f"<br>  vs baseline: {fmt_signed(med)} (90%: {fmt_signed(lo)} to {fmt_signed(hi)})"
        lines.append(text)
    return lines


def _edge_change(c, k, edge, flows):
    """The paired change of an edge's flow in run k against the baseline, as a hover
    line ('' for the baseline or where either flow is unknown)."""
    if k == 0 or edge not in flows[k] or edge not in flows[0]:
        return ""
    _, ri, bi = np.intersect1d(c.runs[k].replicates, c.runs[0].replicates, return_indices=True)
    if ri.size == 0:
        return ""
    diffs = flows[k][edge][0][ri] - flows[0][edge][0][bi]
    lo, med, hi = np.percentile(diffs, PERCENTILES)
    return f"<br>  vs baseline: {fmt_signed(med)} (90%: {fmt_signed(lo)} to {fmt_signed(hi)})"


def route_figure(c, rc):
    """The route of each scenario (one shown at a time, chosen from a menu): edges
    as lines whose width is the number who travelled them over the window, nodes
    sized by arrivals and coloured by kind, deaths per edge and apprehensions per
    checkpoint as markers; hover gives values, intervals and changes."""
    import plotly.graph_objects as go

    graph, pos = rc.graph, rc.positions
    if not graph.nodes:
        return None
    flows = [edge_flows(rc, k) for k in range(len(c.runs))]
    medians = [np.median(v) for f in flows for v, _ in f.values()]
    max_flow = max(medians + [0.0]) or 1.0
    arrivals = [flow_series(rc, k, "node") for k in range(len(c.runs))]
    max_arrivals = max([float(np.max(np.median(a.values, axis=0))) for a in arrivals if a is not None] + [0.0]) or 1.0
    checkpoints = [flow_series(rc, k, "checkpoint") for k in range(len(c.runs))]
    max_checks = max([float(np.max(np.median(s.values, axis=0))) for s in checkpoints if s is not None]
                     + [0.0]) or 1.0
    deaths = [deaths_series(rc, k, "edge") for k in range(len(c.runs))]
    max_deaths = max([float(np.max(np.median(s.values, axis=0))) for s in deaths if s is not None]
                     + [0.0]) or 1.0
    covered = {}
    for name, edges in graph.networks.items():
        for e in edges:
            covered.setdefault(e, []).append(name)

    traces, owners = [], []   # run index of each trace, for the menu
    for k, run in enumerate(c.runs):
        g = rc.graphs[k]
        visible = k == 0
        # edges, one trace each: a line has one width
        for edge in g.edges:
            if edge[0] not in pos or edge[1] not in pos:
                continue
            xs, ys = edge_path(pos, edge)
            head = f"<b>{html.escape(edge[0])} → {html.escape(edge[1])}</b>"
            if edge in flows[k]:
                values, source = flows[k][edge]
                width = 1.5 + 16.0 * np.sqrt(max(np.median(values), 0.0) / max_flow)
                text = [head, f"travelled: {_summary_text(values, 'persons')}" + _edge_change(c, k, edge, flows),
                        f"<i>from {html.escape(source)}</i>"]
                line = dict(color=rgba(EDGE_COLOR, 0.75), width=width)
            else:
                text = [head, "<i>how many travelled this edge is not in this file (not its end's only way in)</i>"]
                line = dict(color=UNKNOWN_EDGE_COLOR, width=1.5, dash="dot")
            passing = flow_series(rc, k, "edge")
            entity = _edge_label_in(rc, k, edge)
            if entity is not None:
                text += _series_lines(rc, k, "edge", entity, skip=(passing.name,) if passing else ())
            if covered.get(edge):
                text.append("smuggling networks: " + html.escape(", ".join(covered[edge])))
            traces.append(go.Scatter(x=rounded(xs, 4), y=rounded(ys, 4), mode="lines", line=line,
                                     hoverinfo="text", text="<br>".join(text), hoveron="points",
                                     showlegend=False, visible=visible, name=edge[0] + " → " + edge[1]))
            owners.append(k)
        # deaths per edge
        if deaths[k] is not None:
            xs, ys, sizes, texts = [], [], [], []
            for j, edge in enumerate(deaths[k].ends or []):
                if edge is None or edge[0] not in pos or edge[1] not in pos:
                    continue
                px, py = edge_path(pos, edge)
                med = float(np.median(deaths[k].values[:, j]))
                xs.append(px[len(px) // 2])
                ys.append(py[len(py) // 2])
                sizes.append(0.0 if med <= 0 else 7.0 + 18.0 * np.sqrt(med / max_deaths))
                texts.append(f"<b>deaths on {html.escape(edge[0])} → {html.escape(edge[1])}</b><br>"
                             + _summary_text(deaths[k].values[:, j], html.escape(deaths[k].units)))
            traces.append(go.Scatter(x=rounded(xs, 4), y=rounded(ys, 4), mode="markers",
                                     marker=dict(symbol="x", color=DEATH_COLOR, size=rounded(sizes, 3),
                                                 line=dict(width=0)),
                                     hoverinfo="text", text=texts, showlegend=False, visible=visible,
                                     name="deaths"))
            owners.append(k)
        # checkpoints, above their node
        if g.checkpoints:
            xs, ys, sizes, texts = [], [], [], []
            series = checkpoints[k]
            for name, node in g.checkpoints.items():
                if node not in pos:
                    continue
                xs.append(pos[node][0])
                ys.append(pos[node][1] + 0.3)
                lines = [f"<b>checkpoint {html.escape(name)}</b> at {html.escape(node)}"]
                lines += _series_lines(rc, k, "checkpoint", name)
                if series is not None and name in series.labels:
                    med = float(np.median(series.values[:, series.labels.index(name)]))
                    sizes.append(9.0 + 18.0 * np.sqrt(max(med, 0.0) / max_checks))
                else:
                    sizes.append(9.0)
                    if series is None:
                        lines.append("<i>apprehensions per checkpoint are not in this file</i>")
                texts.append("<br>".join(lines))
            traces.append(go.Scatter(x=rounded(xs, 4), y=rounded(ys, 4), mode="markers",
                                     marker=dict(symbol="diamond", color=CHECKPOINT_COLOR, size=rounded(sizes, 3),
                                                 line=dict(color="white", width=1)),
                                     hoverinfo="text", text=texts, showlegend=False, visible=visible,
                                     name="checkpoints"))
            owners.append(k)
        # nodes
        xs, ys, sizes, colors, texts, names, where = [], [], [], [], [], [], []
        for i, node in enumerate(g.nodes):
            if node not in pos:
                continue
            kind = g.kinds.get(node, "")
            xs.append(pos[node][0])
            ys.append(pos[node][1])
            a = arrivals[k]
            if a is not None and node in a.labels and kind != "origin":
                med = float(np.median(a.values[:, a.labels.index(node)]))
                sizes.append(12.0 + 26.0 * np.sqrt(max(med, 0.0) / max_arrivals))
            else:
                sizes.append(16.0)
            colors.append(KIND_COLORS.get(kind, "#bdbdbd"))
            lines = [f"<b>{html.escape(node)}</b>" + (f" ({html.escape(kind)})" if kind else "")]
            lines += _series_lines(rc, k, "node", node)
            texts.append("<br>".join(lines))
            names.append(node)
            where.append("top center" if int(round(pos[node][0])) % 2 == 0 else "bottom center")
        traces.append(go.Scatter(x=xs, y=ys, mode="markers+text", text=names, textposition=where,
                                 hovertext=texts, hoverinfo="text",
                                 marker=dict(size=rounded(sizes, 3), color=colors, line=dict(color="#333", width=1)),
                                 textfont=dict(size=11), showlegend=False, visible=visible, name="nodes"))
        owners.append(k)

    names = run_names(c)
    buttons = [dict(label=names[k], method="update",
                    args=[{"visible": [o == k for o in owners]}, {"title.text": "Route: " + names[k]}])
               for k in range(len(c.runs))]
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_y = max(ys) - min(ys)
    return go.Figure(data=traces, layout=base_layout(
        height=int(330 + 70 * span_y), hovermode="closest", showlegend=False,
        title=dict(text="Route: " + names[0], x=0.01, xanchor="left", y=0.97, font=dict(size=14)),
        margin=dict(l=20, r=20, t=80, b=20),
        xaxis=dict(visible=False, range=[min(xs) - 0.6, max(xs) + 0.6]),
        yaxis=dict(visible=False, range=[min(ys) - 0.9 - 0.15 * (max(xs) - min(xs)),
                                         max(ys) + 0.9 + 0.15 * (max(xs) - min(xs))]),
        updatemenus=[dict(type="dropdown", buttons=buttons, active=0, x=1.0, xanchor="right", y=1.12,
                          yanchor="top", showactive=True)] if len(c.runs) > 1 else [],
        annotations=([dict(text="scenario:", x=1.0, xref="paper", y=1.11, yref="paper", xanchor="right",
                           xshift=-215, showarrow=False, yanchor="top")] if len(c.runs) > 1 else [])))


def _edge_label_in(rc, k, edge):
    """The label of `edge` on run k's edge axis (any edge series), or None."""
    for (d, _), s in rc.series[k].items():
        if d == "edge" and s.ends:
            for j, e in enumerate(s.ends):
                if e == edge:
                    return s.labels[j]
    return None


def route_caption(c, rc):
    """One sentence saying what the route figure shows."""
    have_edges = any(d == "edge" for per_run in rc.series for d, _ in per_run)
    have_checks = any(d == "checkpoint" for per_run in rc.series for d, _ in per_run)
    parts = ["The route of the scenario chosen in the menu, read left to right: each line's width is the "
             "median number of people who travelled that edge over the window"
             + ("" if have_edges else " (dotted where the files do not say: they record arrivals per node, "
                "not per edge)"),
             "circles are sized by arrivals at each node and coloured by kind (origin purple, transit blue, "
             "border orange, destination green)"]
    if have_edges and any(deaths_series(rc, k, "edge") is not None for k in range(len(c.runs))):
        parts.append("red crosses by deaths on an edge")
    parts.append("orange diamonds mark checkpoints" + (", sized by apprehensions" if have_checks else ""))
    return "; ".join(parts) + "; hover over any of them for values with 90% intervals and the change against the baseline."
