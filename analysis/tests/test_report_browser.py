"""The HTML report renders in a real browser (Debian's Chromium, headless) with
its figures loaded: the DOM Chromium builds has every <img> as an embedded PNG,
each PNG decodes, and a screenshot is a real page with the figures' colours in it."""
import base64
import html.parser
import io
import pathlib
import subprocess

import numpy as np
import pytest
import xarray as xr

from migrasim import compare

CHROMIUM = pathlib.Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
WIDTH, HEIGHT = 1200, 6000
TAB_BLUE = np.array([0x1F, 0x77, 0xB4])   # matplotlib's first colour: the baseline's median line


def synthetic_run(path, name, shift, seed=5, replicates=4, days=120):
    """A small run file in migrasim's layout with random-looking but fixed data."""
    rng = np.random.default_rng(seed)
    data = {}
    for metric in compare.METRICS:
        kind = "stock" if metric == "asylum_backlog" else "flow"
        if kind == "flow":
            values = rng.poisson(20 + shift, size=(replicates, days)).astype(float)
        else:
            values = np.cumsum(rng.poisson(max(3 + shift, 1), size=(replicates, days)), axis=1).astype(float)
        units = "USD per step" if metric.endswith("_usd") else "persons per step" if kind == "flow" else "persons"
        data[metric] = (("replicate", "time"), values,
                        {"long_name": metric, "units": units,
                         "cell_methods": "time: sum" if kind == "flow" else "time: point"})
    ds = xr.Dataset(data, coords={
        "replicate": ("replicate", np.arange(replicates, dtype=float)),
        "time": ("time", np.arange(days, dtype=float), {"units": "days since 2024-01-01",
                                                         "calendar": "proleptic_gregorian"})},
        attrs={"scenario_name": name, "seed": np.uint64(seed), "replicates": np.int64(replicates),
               "step_days": 1.0, "scenario_yaml": f"name: {name}\n"})
    ds.to_netcdf(path, engine="h5netcdf")
    return path


class Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs).get("src", ""))


def chromium(tmp_path, *args):
    result = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                            capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def decode_png(data):
    import matplotlib.image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(io.BytesIO(data), format="png")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (tools/setup.sh installs it)")
    tmp = tmp_path_factory.mktemp("report")
    base = synthetic_run(tmp / "base.h5", "baseline", 0)
    other = synthetic_run(tmp / "other.h5", "policy", -5)
    path = tmp / "report.html"
    assert compare.main([str(base), str(other), "--start", "2024-02-01", "--html", str(path)]) == 0
    return path


def test_dom_has_every_figure_as_an_embedded_png_that_decodes(report, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert "migrasim scenario comparison" in dom and "How to read this" in dom
    parser = Images()
    parser.feed(dom)
    expected = report.read_text().count("<img")
    assert expected >= 2 and len(parser.sources) == expected
    prefix = "data:image/png;base64,"
    for src in parser.sources:
        assert src.startswith(prefix), src[:60]
        image = decode_png(base64.b64decode(src[len(prefix):], validate=True))
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
        assert image[..., :3].std() > 0.01   # not a blank canvas


def test_screenshot_shows_the_rendered_report_with_its_figures(report, tmp_path):
    shot = tmp_path / "shot.png"
    chromium(tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", report.as_uri())
    image = decode_png(shot.read_bytes())
    assert image.shape[:2] == (HEIGHT, WIDTH)
    pixels = np.round(image[..., :3] * 255).astype(int)
    assert pixels.std() > 10   # text, tables and figures, not a blank page
    # The first figure's baseline median line is drawn in tab:blue; nothing else on the
    # page has that colour, so its pixels show that an image was decoded and painted.
    blue = (np.abs(pixels - TAB_BLUE) <= 12).all(axis=-1).sum()
    assert blue > 300, f"only {blue} tab:blue pixels: the figures did not render"
