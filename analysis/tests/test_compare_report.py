"""The interactive HTML report of migrasim.compare, without a browser: the route
read from the files, its layout, flows per edge, the figures' numbers, posterior
bands, the page's order and self-containment. test_report_browser.py opens the
page in Chromium."""
import html.parser
import json
import pathlib
import re
import warnings

import numpy as np
import pytest
import xarray as xr

from migrasim import compare
from migrasim.compare import charts, plotlyjs, route

# A branching route (two ways from hub to border) with a checkpoint and a network.
SCENARIO = """\
name: {name}
route:
  nodes:
    - {{name: home, kind: origin}}
    - {{name: hub, kind: transit}}
    - {{name: jungle, kind: transit}}
    - {{name: flight, kind: transit}}
    - {{name: border, kind: border}}
    - {{name: haven, kind: destination}}
  edges:
    - {{from: home, to: hub}}
    - {{from: hub, to: jungle}}
    - {{from: hub, to: flight}}
    - {{from: jungle, to: border}}
    - {{from: flight, to: border}}
    - {{from: border, to: haven}}
    - {{from: home, to: border}}
checkpoints:
  - {{name: patrol, node: border}}
smugglers:
  - {{name: guides, covers: [[hub, jungle], [jungle, border]]}}
"""
NODES = ["home", "hub", "jungle", "flight", "border", "haven"]
EDGES = [("home", "hub"), ("hub", "jungle"), ("hub", "flight"), ("jungle", "border"), ("flight", "border"),
         ("border", "haven"), ("home", "border")]
START, DAYS, REPLICATES = "2023-01-01", 200, 4


def write_route_run(path, name, *, scale=1.0, edges=True, particle=None, extra_edge_series=None, seed=3,
                    scenario=None, zero=()):
    """A run file in migrasim's layout with node series and, when `edges`, the
    edge, checkpoint and network axes the run files are getting: every series is a
    fixed multiple of (replicate + 1), so window totals are known exactly."""
    r = np.arange(REPLICATES, dtype=float)[:, None, None] + 1.0
    ones = np.ones((REPLICATES, DAYS, 1))
    flow = {"units": "persons per step", "cell_methods": "time: sum"}
    stock = {"units": "persons", "cell_methods": "time: point"}
    variables = {}
    for metric in compare.METRICS:
        attrs = stock if metric == "asylum_backlog" else flow
        values = scale * (10.0 + r[:, :, 0] * np.ones((REPLICATES, DAYS)))
        if metric == "intervention_cost_usd":
            values = np.zeros_like(values) if name == "baseline" else np.full_like(values, 100.0)
        if metric in zero:
            values = np.zeros_like(values)
        variables[metric] = (("replicate", "time"), values, dict(attrs, long_name=metric))
    arrivals = scale * r * ones * np.array([0, 8, 5, 3, 7, 6], dtype=float)   # per node and step
    variables["node_arrivals"] = (("replicate", "time", "node"), arrivals,
                                  dict(flow, long_name="persons arriving at the node"))
    variables["node_stock"] = (("replicate", "time", "node"), arrivals.cumsum(axis=1),
                               dict(stock, long_name="persons at the node or on an edge leaving it"))
    coords = {
        "replicate": ("replicate", np.arange(REPLICATES, dtype=float)),
        "time": ("time", np.arange(DAYS, dtype=float), {"units": f"days since {START}",
                                                         "calendar": "proleptic_gregorian", "step_days": 1.0}),
        "node": ("node", np.array(NODES, dtype=object)),
    }
    if edges:
        per_edge = np.array([8, 5, 3, 4, 3, 6, 1], dtype=float)
        coords["edge"] = ("edge", np.array([f"{a}->{b}" for a, b in EDGES], dtype=object))
        coords["edge_from"] = ("edge", np.array([a for a, _ in EDGES], dtype=object))
        coords["edge_to"] = ("edge", np.array([b for _, b in EDGES], dtype=object))
        coords["checkpoint"] = ("checkpoint", np.array(["patrol"], dtype=object))
        coords["network"] = ("network", np.array(["guides"], dtype=object))
        variables["edge_traversals"] = (("replicate", "time", "edge"), scale * r * ones * per_edge,
                                        dict(flow, long_name="persons completing the edge"))
        variables["edge_deaths"] = (("replicate", "time", "edge"), scale * r * ones * (per_edge == 5) * 0.5,
                                    dict(flow, long_name="persons dying on the edge"))
        variables["checkpoint_apprehensions"] = (("replicate", "time", "checkpoint"), scale * r * ones * 2.0,
                                                 dict(flow, long_name="persons stopped at the checkpoint"))
        variables["network_clients"] = (("replicate", "time", "network"), scale * r * ones * 1.5,
                                        dict(flow, long_name="clients taken on"))
        for extra in extra_edge_series or []:
            variables[extra] = (("replicate", "time", "edge"), r * ones * np.ones(len(EDGES)),
                                dict(flow, long_name=extra))
    if particle is not None:
        variables["particle"] = (("replicate",), np.asarray(particle, dtype=float), {"long_name": "posterior particle"})
    attrs = {"scenario_name": name, "seed": np.uint64(seed), "replicates": np.int64(REPLICATES), "step_days": 1.0,
             "scenario_yaml": scenario if scenario is not None else SCENARIO.format(name=name),
             "command_line": "synthetic", "agents": np.int64(1000), "persons_per_agent": 1.0}
    xr.Dataset(variables, coords=coords, attrs=attrs).to_netcdf(path, engine="h5netcdf")
    return pathlib.Path(path)


@pytest.fixture
def route_pair(tmp_path):
    return (write_route_run(tmp_path / "base.h5", "baseline"),
            write_route_run(tmp_path / "policy.h5", "policy", scale=0.5))


def test_graph_comes_from_the_scenario_stored_in_the_file(route_pair):
    run = compare.load_run(route_pair[0])
    g = route.run_graph(run)
    assert g.nodes == NODES and g.edges == EDGES
    assert g.kinds["home"] == "origin" and g.kinds["border"] == "border" and g.kinds["haven"] == "destination"
    assert g.checkpoints == {"patrol": "border"}
    assert g.networks == {"guides": [("hub", "jungle"), ("jungle", "border")]}
    assert set(run.entities) == {"node", "edge", "checkpoint", "network"}
    assert run.entities["edge"].aux["edge_from"][0] == "home"


def test_graph_falls_back_to_the_files_coordinates(tmp_path):
    path = write_route_run(tmp_path / "bare.h5", "bare", scenario="not: [valid")
    g = route.run_graph(compare.load_run(path))
    assert g.nodes == NODES and g.edges == EDGES and g.checkpoints == {}


def test_layout_reads_left_to_right_by_longest_path():
    g = route.Graph(nodes=NODES, kinds={}, edges=EDGES, checkpoints={}, networks={})
    pos = route.layout(g)
    assert [pos[n][0] for n in NODES] == [0, 1, 2, 2, 3, 4]
    assert pos["jungle"][1] == -pos["flight"][1] != 0      # two nodes of a layer spread around 0
    assert pos["home"][1] == pos["hub"][1] == 0
    # an edge skipping layers is an arc off the straight line; a neighbour edge is straight
    xs, ys = route.edge_path(pos, ("home", "border"))
    assert np.max(np.abs(ys)) > 0.3 and xs[0] == 0 and xs[-1] == 3
    xs, ys = route.edge_path(pos, ("home", "hub"))
    assert np.all(ys == 0)


def test_layout_survives_a_cycle():
    g = route.Graph(nodes=["a", "b", "c"], kinds={}, edges=[("a", "b"), ("b", "c"), ("c", "a")],
                    checkpoints={}, networks={})
    pos = route.layout(g)
    assert sorted(p[0] for p in pos.values()) == [0, 1, 2]


def test_route_series_are_window_totals_per_entity_with_paired_changes(route_pair):
    c = compare.compare(list(route_pair), "2023-02-01", "2023-02-10")    # 10 days
    rc = route.route_comparison(c)
    edges = rc.series[0][("edge", "edge_traversals")]
    np.testing.assert_array_equal(edges.values[:, 0], 10 * 8 * np.arange(1, REPLICATES + 1))
    stock = rc.series[0][("node", "node_stock")]             # a stock: its value on the window's last day
    np.testing.assert_array_equal(stock.values[:, 1], 41 * 8 * np.arange(1, REPLICATES + 1))
    diffs = rc.differences[1][("checkpoint", "checkpoint_apprehensions")]
    np.testing.assert_array_equal(diffs[:, 0], -0.5 * 10 * 2 * np.arange(1, REPLICATES + 1))
    assert rc.dims() == ["node", "edge", "checkpoint", "network"]
    assert rc.names("edge") == ["edge_traversals", "edge_deaths"]


def test_unwritten_route_values_are_an_input_error(tmp_path):
    path = write_route_run(tmp_path / "base.h5", "baseline")
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    ds["edge_deaths"][1, 5, 2] = np.nan
    ds.to_netcdf(tmp_path / "holes.h5", engine="h5netcdf")
    c = compare.compare([tmp_path / "holes.h5"])
    with pytest.raises(compare.CompareError, match="edge_deaths has unwritten"):
        route.route_comparison(c)
    assert compare.main([str(tmp_path / "holes.h5"), "--html", str(tmp_path / "r.html")]) == 2
    assert not (tmp_path / "r.html").exists()


def test_edge_flows_come_from_edge_series_when_the_file_has_them(route_pair):
    c = compare.compare(list(route_pair), "2023-02-01", "2023-02-10")
    rc = route.route_comparison(c)
    flows = route.edge_flows(rc, 0)
    assert set(flows) == set(EDGES)
    np.testing.assert_array_equal(flows[("flight", "border")][0], 10 * 3 * np.arange(1, REPLICATES + 1))
    assert route.deaths_series(rc, 0, "edge").name == "edge_deaths"
    assert route.flow_series(rc, 0, "checkpoint").name == "checkpoint_apprehensions"


def test_without_edge_series_an_edge_carries_the_arrivals_at_its_end_when_it_is_the_only_way_in(tmp_path):
    base = write_route_run(tmp_path / "base.h5", "baseline", edges=False)
    c = compare.compare([base], "2023-02-01", "2023-02-10")
    rc = route.route_comparison(c)
    flows = route.edge_flows(rc, 0)
    # border has three ways in and haven one; hub, jungle and flight one each
    assert set(flows) == {("home", "hub"), ("hub", "jungle"), ("hub", "flight"), ("border", "haven")}
    np.testing.assert_array_equal(flows[("border", "haven")][0], 10 * 6 * np.arange(1, REPLICATES + 1))
    assert "only way in" in flows[("border", "haven")][1]


def test_any_series_on_a_route_axis_is_read_whatever_its_name(tmp_path):
    base = write_route_run(tmp_path / "base.h5", "baseline", extra_edge_series=["edge_waiting_time_days"])
    c = compare.compare([base])
    rc = route.route_comparison(c)
    assert "edge_waiting_time_days" in rc.names("edge")
    assert "edge_waiting_time_days per edge" in compare.report_html(c)


def test_headline_figure_shows_each_paired_change_with_its_interval_one_panel_per_outcome(route_pair):
    c = compare.compare(list(route_pair))
    fig = charts.headline_figure(c)
    metrics = charts.headline_metrics(c)
    assert sorted(metrics) == sorted(c.metrics())           # every one moves in the policy run
    assert metrics[:3] == ["border_encounters", "smuggled_departures", "deaths"]   # headline outcomes first
    assert len(fig.data) == len(metrics) and {t.name for t in fig.data} == {"policy"}
    assert [t.showlegend for t in fig.data] == [True] + [False] * (len(metrics) - 1)
    for trace, metric in zip(fig.data, metrics):
        med, lo, hi = c.diff_summary[("policy", metric)]
        assert trace.x[0] == pytest.approx(med) and trace.y == ("policy",)
        assert trace.error_x.arrayminus[0] == pytest.approx(med - lo)
        assert trace.error_x.array[0] == pytest.approx(hi - med)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "border encounters (persons)"


def test_headline_figure_leaves_out_outcomes_no_scenario_changes(tmp_path, route_pair):
    same = write_route_run(tmp_path / "same.h5", "same")
    c = compare.compare([route_pair[0], same])
    assert charts.headline_metrics(c) == ["intervention_cost_usd"]   # the only difference


def test_time_series_have_a_band_and_a_median_per_scenario_grouped_for_the_legend(route_pair):
    c = compare.compare(list(route_pair))
    fig = charts.timeseries_figure(c, "deaths")
    lines = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in lines] == ["baseline (baseline)", "policy"]
    assert {t.legendgroup for t in fig.data} == {"baseline", "policy"}
    assert len(fig.data) == 2 * 3                           # lower, upper (filled), median
    assert fig.layout.hovermode == "x unified"
    # months (200 days from 2023-01-01: January to July), flows summed per month
    median = lines[0]
    assert list(median.x)[:2] == ["2023-01-01", "2023-02-01"] and len(median.x) == 7
    run = c.runs[0]
    jan = run.series["deaths"][:, :31].sum(axis=1)
    assert median.y[0] == pytest.approx(np.median(jan))
    assert median.customdata[0] == pytest.approx(list(np.percentile(jan, [5, 95])))


def test_series_that_are_0_throughout_are_named_not_drawn(tmp_path):
    files = [write_route_run(tmp_path / f"{n}.h5", n, zero=("deaths",)) for n in ("baseline", "other")]
    text = compare.report_html(compare.compare(files))
    assert "figure-timeseries-deaths" not in text and "figure-timeseries-border_encounters" in text
    assert "0 throughout the window in every run, so not drawn: deaths." in text


def test_particle_means_average_replicates_of_one_particle():
    values = np.array([[1.0, 3.0, 10.0, 7.0]])
    np.testing.assert_array_equal(charts.particle_means(values, np.array([0, 0, 1, 2])), [[2.0, 2.0, 10.0, 7.0]])


def test_parameter_bands_appear_when_replicates_share_posterior_particles(tmp_path):
    shared = write_route_run(tmp_path / "shared.h5", "baseline", particle=[4, 4, 9, 9])
    own = write_route_run(tmp_path / "own.h5", "other", particle=[1, 2, 3, 4])
    c = compare.compare([shared, own])
    assert list(c.runs[0].particle) == [4, 4, 9, 9]
    fig = charts.timeseries_figure(c, "deaths")
    bands = [t.name for t in fig.data if t.fill == "tonexty"]
    assert bands == ["baseline: 90% of replicates", "baseline: 90% of parameter draws", "other: 90% of replicates"]
    assert "posterior parameter draws" in charts.timeseries_caption(c, "deaths")
    assert "2 particle(s) over 4 replicate(s)" in compare.report_html(c)


def test_a_particle_variable_of_the_wrong_length_is_an_input_error(tmp_path):
    path = write_route_run(tmp_path / "bad.h5", "baseline")
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    ds.attrs["particle"] = np.array([1, 2])
    ds.to_netcdf(tmp_path / "bad2.h5", engine="h5netcdf")
    with pytest.raises(compare.CompareError, match="'particle' has 2 value"):
        compare.load_run(tmp_path / "bad2.h5")


def test_route_figure_has_one_menu_entry_per_scenario_and_shows_one_at_a_time(route_pair):
    c = compare.compare(list(route_pair))
    rc = route.route_comparison(c)
    fig = charts.route_figure(c, rc)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["baseline (baseline)", "policy"]
    visible = [bool(t.visible) for t in fig.data]
    assert visible == buttons[0].args[0]["visible"] and sum(visible) == len(fig.data) // 2
    assert buttons[1].args[0]["visible"] == [not v for v in visible]
    names = [t.name for t in fig.data if t.visible]
    assert names.count("nodes") == 1 and "deaths" in names and "checkpoints" in names
    edge_traces = [t for t in fig.data if t.visible and t.mode == "lines"]
    assert len(edge_traces) == len(EDGES)
    widths = {t.name: t.line.width for t in edge_traces}
    assert widths["home → hub"] > widths["hub → jungle"] > widths["home → border"]   # 8 > 5 > 1 per step
    policy_edges = [t for t in fig.data if not t.visible and t.mode == "lines"]
    assert "vs baseline: -" in policy_edges[0].text and "smuggling networks: guides" in policy_edges[1].text


def test_route_figure_marks_edges_whose_flow_the_file_does_not_give(tmp_path):
    base = write_route_run(tmp_path / "base.h5", "baseline", edges=False)
    c = compare.compare([base])
    fig = charts.route_figure(c, route.route_comparison(c))
    dotted = sorted(t.name for t in fig.data if t.mode == "lines" and t.line.dash == "dot")
    assert dotted == ["flight → border", "home → border", "jungle → border"]
    assert "dotted where the files do not say" in charts.route_caption(c, route.route_comparison(c))


class Outline(html.parser.HTMLParser):
    """Tags in document order, with the figures' ids and captions."""

    def __init__(self):
        super().__init__()
        self.order, self.external, self.captions, self.scripts = [], [], 0, 0
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "chart" in (attrs.get("class") or ""):
            self.order.append(("figure", attrs["id"]))
        elif tag in ("table", "h2"):
            self.order.append((tag, None))
        elif tag == "figcaption":
            self.captions += 1
        elif tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if key in attrs:
                self.external.append((tag, attrs[key]))


@pytest.fixture
def report_text(route_pair):
    c = compare.compare(list(route_pair))
    return compare.report_html(c)


def test_the_page_opens_on_the_effects_and_puts_tables_after_the_figures(report_text):
    outline = Outline()
    outline.feed(report_text)
    kinds = [kind for kind, _ in outline.order]
    figures = [ident for kind, ident in outline.order if kind == "figure"]
    assert figures[0] == "figure-headline"
    assert kinds.index("table") > max(i for i, k in enumerate(kinds) if k == "figure")
    assert "figure-route" in figures and "figure-timeseries-border_encounters" in figures
    assert outline.captions == len(figures)                 # every figure says what it shows
    assert report_text.index("Effects against baseline") < report_text.index("<table")
    assert report_text.index('class="card"') < report_text.index("figure-headline")


def test_the_page_is_self_contained_with_plotly_embedded_once(report_text):
    outline = Outline()
    outline.feed(report_text)
    assert outline.external == []                           # no src= or href= at all
    assert "@import" not in report_text and "url(" not in report_text.split("<script>")[0]
    library = plotlyjs.script_safe(plotlyjs.plotly_js()[0])
    assert report_text.count(library) == 1
    rest = report_text.replace(library, "")
    assert rest.count("Plotly.newPlot(") == 1               # one drawing function, called per figure
    assert rest.count("migrasimDraw(") == rest.count('class="chart"') + 1


def test_text_in_the_files_cannot_break_out_of_the_page(tmp_path):
    evil = "</script><script>alert(1)</script>"
    base = write_route_run(tmp_path / "base.h5", evil)
    text = compare.report_html(compare.compare([base]))
    assert evil not in text
    assert "&lt;/script&gt;" in text                        # shown as text in the tables
    for block in re.findall(r"migrasimDraw\(\"[^\"]+\", (\{.*?\})\);</script>", text):
        json.loads(block)                                   # each figure's data is one JSON value


def test_plotly_js_is_minified_when_esbuild_is_there_and_embedded_as_shipped_otherwise(monkeypatch):
    from plotly.offline import get_plotlyjs

    with warnings.catch_warnings():
        warnings.simplefilter("error", plotlyjs.PlotlyJsWarning)
        text, what = plotlyjs.plotly_js()
    assert "minified by esbuild" in what and len(text) < 0.6 * len(get_plotlyjs())
    monkeypatch.setattr(plotlyjs.shutil, "which", lambda name: None)
    with pytest.warns(plotlyjs.PlotlyJsWarning, match="esbuild not found"):
        text, what = plotlyjs.plotly_js.__wrapped__()      # past the cache
    assert text == get_plotlyjs() and "minified" not in what


def test_script_safe_keeps_the_library_inside_its_element():
    assert plotlyjs.script_safe('a="</SCRIPT>"+"<!--"') == 'a="<\\/SCRIPT>"+"<\\!--"'
    assert plotlyjs.script_safe("x</div>") == "x</div>"


def test_cli_leaves_no_partial_report_when_writing_fails(route_pair, tmp_path, monkeypatch):
    from migrasim.compare import cli

    def fail(c, route):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cli, "report_html", fail)
    out = tmp_path / "r.html"
    with pytest.raises(RuntimeError):
        cli.main([str(route_pair[0]), "--html", str(out)])
    assert list(tmp_path.glob("r.html*")) == []
