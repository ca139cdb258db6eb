"""The interactive HTML report in a real browser (Debian's Chromium, headless),
with the network disabled: the page loads with no console error, every figure is
drawn (its SVG has the marks the data call for), nothing is fetched from
anywhere, the route's scenario menu switches scenarios, and the first screen
shows the effects against the baseline.

Two reports: one of runs of the tiny scenario made by the binary (the run files
as they are today: node series only), one of synthetic files that also have the
edge, checkpoint and network axes and posterior particles."""
import html.parser
import io
import json
import pathlib
import re
import subprocess

import numpy as np
import pytest

from migrasim import compare
from migrasim.compare import charts
from test_compare_report import write_route_run

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = pathlib.Path("/usr/bin/chromium")
# No network: every request goes to a proxy on a closed port, and no name resolves.
OFFLINE = ["--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0", *OFFLINE]

# Put in a copy of the report, before anything else runs: reports errors and
# console.error calls, every resource the page requested (failed requests
# included), and, once the figures are drawn, clicks the first legend entry of a
# time series (which hides the baseline, then shows it again), chooses the
# second scenario in the route's menu, and hovers over a time series and a route
# node, as a reader would.
PROBE = """<script>
(function () {
  var say = console.log.bind(console);
  console.error = function () { say("PROBE-ERROR console.error: " + Array.prototype.join.call(arguments, " ")); };
  window.addEventListener("error", function (e) { say("PROBE-ERROR uncaught: " + e.message); });
  window.addEventListener("load", function () {
    setTimeout(function () {
      var fetched = performance.getEntriesByType("resource").map(function (r) { return r.name; })
        .filter(function (url) { return !/^(data|blob|about):/.test(url); });
      say("PROBE-RESOURCES " + JSON.stringify(fetched));
      var series = document.querySelector('[id^="figure-timeseries"]');
      var toggle = series && series.querySelector(".legendtoggle");
      if (toggle) {
        var box = toggle.getBoundingClientRect();
        var at = {bubbles: true, clientX: box.x + 5, clientY: box.y + 5, button: 0};
        toggle.dispatchEvent(new MouseEvent("mousedown", at));
        toggle.dispatchEvent(new MouseEvent("mouseup", at));
        setTimeout(function () {
          say("PROBE-LEGEND " + JSON.stringify(series.data.map(function (t) {
            return [t.legendgroup, t.visible === undefined ? true : t.visible]; })));
          toggle.dispatchEvent(new MouseEvent("mousedown", at));   // and back, before the DOM is read
          toggle.dispatchEvent(new MouseEvent("mouseup", at));
        }, 800);
      }
      var route = document.getElementById("figure-route");
      var header = route && route.querySelector(".updatemenu-header");
      if (header) {
        header.dispatchEvent(new MouseEvent("click", {bubbles: true}));
        setTimeout(function () {
          var buttons = route.querySelectorAll(".updatemenu-dropdown-button");
          if (buttons.length > 1) { buttons[1].dispatchEvent(new MouseEvent("click", {bubbles: true})); }
          setTimeout(function () {
            var title = route.querySelector(".gtitle");
            say("PROBE-ROUTE-TITLE " + (title ? title.textContent : "none"));
          }, 500);
        }, 500);
      }
    }, 1000);
    setTimeout(function () {   // hover: the mouse over the middle of a time series, and a route node
      var series = document.querySelector('[id^="figure-timeseries"]');
      var drag = series.querySelector(".nsewdrag");
      var box = drag.getBoundingClientRect();
      drag.dispatchEvent(new MouseEvent("mousemove",
        {bubbles: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2}));
      var route = document.getElementById("figure-route");
      var nodes = route.data.findIndex(function (t) { return t.name === "nodes" && t.visible !== false; });
      Plotly.Fx.hover(route, [{curveNumber: nodes, pointNumber: 1}], "xy");
      setTimeout(function () {
        [series, route].forEach(function (figure) {
          var texts = Array.prototype.map.call(figure.querySelectorAll(".hoverlayer text"),
                                               function (t) { return t.textContent; });
          say("PROBE-HOVER " + figure.id + " " + JSON.stringify(texts));
        });
      }, 500);
    }, 4000);
  });
})();
</script>"""


def chromium(tmp_path, *args):
    result = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, result.stderr


def probed_copy(report, tmp_path):
    text = report.read_text(encoding="utf-8")
    copy = tmp_path / ("probed-" + report.name)
    copy.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    return copy


class Svg(html.parser.HTMLParser):
    """Per figure <div>: its SVG roots and the marks drawn in them (paths with a
    drawn `d`, by class)."""

    def __init__(self):
        super().__init__()
        self.figures = {}
        self.errors = []
        self._stack = []   # figure id of each open element, or None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ident = attrs.get("id", "")
        current = next((f for f in reversed(self._stack) if f), None)
        if tag == "div" and ident.startswith("figure-"):
            current = ident
            self.figures[ident] = dict(svg=0, marks={})
            if "chart-error" in (attrs.get("class") or ""):
                self.errors.append(ident)
        if current and tag == "svg" and "main-svg" in (attrs.get("class") or ""):
            self.figures[current]["svg"] += 1
        if current and tag == "path" and len(attrs.get("d") or "") > 4:
            for cls in (attrs.get("class") or "").split():
                marks = self.figures[current]["marks"]
                marks[cls] = marks.get(cls, 0) + 1
        if tag not in ("path", "rect", "circle", "line", "br", "meta", "img", "input", "stop", "image", "use"):
            self._stack.append(current if (tag == "div" and ident.startswith("figure-")) else None)

    def handle_endtag(self, tag):
        if tag not in ("path", "rect", "circle", "line", "br", "meta", "img", "input", "stop", "image", "use") \
                and self._stack:
            self._stack.pop()


def drawn(report, tmp_path):
    """(figures, DOM, console lines) of the report after its scripts ran, offline."""
    dom, log = chromium(tmp_path, "--virtual-time-budget=15000", "--dump-dom", probed_copy(report, tmp_path).as_uri())
    console = [line for line in log.splitlines() if "CONSOLE" in line]
    parser = Svg()
    parser.feed(dom)
    return parser, dom, console


def check_page(report, tmp_path, scenarios, nodes, edges):
    parser, dom, console = drawn(report, tmp_path)
    errors = [line for line in console if "PROBE-ERROR" in line or "Uncaught" in line]
    assert errors == [], errors
    assert parser.errors == []
    resources = [line for line in console if "PROBE-RESOURCES" in line]
    assert len(resources) == 1 and json.loads(re.search(r"PROBE-RESOURCES (\[.*?\])", resources[0]).group(1)) == []
    source = report.read_text(encoding="utf-8")
    expected = re.findall(r'<div class="chart" id="(figure-[^"]+)"', source)
    assert set(parser.figures) == set(expected) and "figure-headline" in expected and "figure-route" in expected
    for ident, figure in parser.figures.items():
        assert figure["svg"] >= 1, f"{ident}: no SVG drawn"
        marks = figure["marks"]
        if ident.startswith("figure-timeseries"):
            # per scenario a median line with its points and a filled band
            assert marks.get("js-line", 0) >= scenarios and marks.get("point", 0) >= 2 * scenarios, (ident, marks)
            assert marks.get("js-fill", 0) >= scenarios, (ident, marks)
        elif ident == "figure-headline":
            # per scenario other than the baseline, a dot and an interval bar for each outcome
            assert marks.get("point", 0) >= 3 * (scenarios - 1), (ident, marks)
            assert marks.get("xerror", 0) == marks["point"], (ident, marks)
        elif ident == "figure-route":
            # the shown scenario's edges as lines, its nodes as points
            assert marks.get("js-line", 0) >= edges and marks.get("point", 0) >= nodes, (ident, marks)
    titles = [line for line in console if "PROBE-ROUTE-TITLE" in line]
    # a click on the baseline's legend entry hides its median and bands, and only those
    legend = [line for line in console if "PROBE-LEGEND" in line]
    assert len(legend) == 1, console
    states = json.loads(re.search(r"PROBE-LEGEND (\[.*\])", legend[0]).group(1))
    baseline = states[0][0]
    assert {v for group, v in states if group == baseline} == {"legendonly"}
    assert {v for group, v in states if group != baseline} == {True} and len(states) > 3
    # hover: the date, then each scenario's value and interval; a node's series with intervals
    hovers = {m.group(1): json.loads(m.group(2)) for line in console
              if (m := re.search(r"PROBE-HOVER (\S+) (\[.*\])", line))}
    series = hovers[next(i for i in expected if i.startswith("figure-timeseries"))]
    assert re.fullmatch(r"(\w{3} \d{4}|week of \d{2} \w{3} \d{4})", series[0]), series
    assert len(series) == 1 + scenarios and all("(90%: " in line for line in series[1:]), series
    assert "(transit)" in hovers["figure-route"][0] and "node_arrivals: " in hovers["figure-route"][0]
    return parser, titles


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (tools/setup.sh installs it)")


@pytest.fixture(scope="module")
def binary_report(browser, tmp_path_factory, migrasim_binary):
    """Two runs of the tiny scenario by the binary, a strict and a lax border checkpoint."""
    tmp = tmp_path_factory.mktemp("binary_report")
    files = []
    for label, detection in (("strict", "0.9"), ("lax", "0.4")):
        files.append(tmp / f"{label}.h5")
        subprocess.run([str(migrasim_binary), "run", str(ROOT / "tests" / "data" / "tiny.yaml"), "-o", str(files[-1]),
                        "--replicates", "3", "--quiet", "--threads", "1",
                        "--set", f"checkpoints.border_patrol.detection_probability={detection}"],
                       check=True, timeout=120)
    path = tmp / "report.html"
    assert compare.main([str(f) for f in files] + ["--html", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def synthetic_report(browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synthetic_report")
    files = [write_route_run(tmp / "base.h5", "baseline", particle=[1, 1, 2, 2]),
             write_route_run(tmp / "policy.h5", "policy", scale=0.5, particle=[1, 1, 2, 2]),
             write_route_run(tmp / "other.h5", "other", scale=0.8)]
    path = tmp / "report.html"
    assert compare.main([str(f) for f in files] + ["--html", str(path)]) == 0
    return path


def test_report_of_binary_runs_draws_every_figure_offline_without_errors(binary_report, tmp_path):
    _, titles = check_page(binary_report, tmp_path, scenarios=2, nodes=6, edges=6)
    assert titles and titles[0].split("PROBE-ROUTE-TITLE ")[1].startswith("Route: tiny (lax)"), titles


def test_report_with_edge_checkpoint_and_network_axes_and_particles_draws_offline(synthetic_report, tmp_path):
    parser, titles = check_page(synthetic_report, tmp_path, scenarios=3, nodes=6, edges=7)
    assert titles and "Route: policy" in titles[0], titles
    # the route has the deaths (crosses) and checkpoints (diamonds) of the edge and checkpoint axes
    assert parser.figures["figure-route"]["marks"].get("point", 0) >= 6 + 1 + 1


def test_first_screen_shows_the_effects_against_the_baseline(synthetic_report, tmp_path):
    import matplotlib.image

    shot = tmp_path / "shot.png"
    chromium(tmp_path, "--virtual-time-budget=15000", f"--screenshot={shot}", "--window-size=1280,1000",
             synthetic_report.as_uri())
    pixels = np.round(matplotlib.image.imread(io.BytesIO(shot.read_bytes()), format="png")[..., :3] * 255).astype(int)
    assert pixels.shape[:2] == (1000, 1280)
    # The two scenarios' colours (cards and the headline figure's dots) are on the first screen.
    for k in (1, 2):
        rgb = np.array([int(charts.color(k)[i:i + 2], 16) for i in (1, 3, 5)])
        count = (np.abs(pixels - rgb) <= 10).all(axis=-1).sum()
        assert count > 400, f"only {count} pixels of {charts.color(k)} on the first screen"
