import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from migrasim import fit as fb


def synthetic_run(daily_encounters, daily_darien, start="2020-10-01", end="2023-12-31", replicates=2):
    """A run file's two fitted variables, with constant daily values."""
    time = pd.date_range(start, end, freq="D")
    nodes = ["panama_reception", "elsewhere"]
    enc = np.full((replicates, time.size), float(daily_encounters))
    arrivals = np.zeros((replicates, time.size, len(nodes)))
    arrivals[:, :, 0] = daily_darien
    flow = {"units": "persons per step", "cell_methods": "time: sum"}
    stock = {"units": "persons", "cell_methods": "time: point"}
    backlog = np.tile(np.arange(time.size, dtype=float), (replicates, 1))
    return xr.Dataset(
        {"border_encounters": (("replicate", "time"), enc, flow),
         "asylum_backlog": (("replicate", "time"), backlog, stock),
         "node_arrivals": (("replicate", "time", "node"), arrivals, flow)},
        coords={"replicate": np.arange(replicates), "time": time, "node": nodes})


def targets_file(tmp_path, text):
    path = tmp_path / "targets.yaml"
    path.write_text(text)
    return path


def test_default_targets_are_the_baselines():
    names = [t.name for t in fb.load_targets()]
    assert names == ["encounters_fy2021", "encounters_fy2022", "encounters_fy2023", "darien_2022", "darien_2023"]


def test_fiscal_and_calendar_years_are_summed_over_the_right_days():
    ds = synthetic_run(daily_encounters=2, daily_darien=3)
    rows = {r[0]: r for r in fb.fit_table(ds)}
    assert rows["encounters_fy2022 (FY2022)"][3] == 2 * 365      # Oct 2021 - Sep 2022
    assert rows["encounters_fy2021 (FY2021)"][3] == 2 * 365      # Oct 2020 - Sep 2021
    assert rows["darien_2022 (2022)"][3] == 3 * 365


def test_windows_of_every_form():
    assert fb.target_window({"fiscal_year": 2023}, "t")[:2] == (pd.Timestamp("2022-10-01").date(),
                                                                 pd.Timestamp("2023-09-30").date())
    assert fb.target_window({"fiscal_year": 2022, "first_month": 7}, "t")[:2] == (
        pd.Timestamp("2021-07-01").date(), pd.Timestamp("2022-06-30").date())
    assert fb.target_window({"fiscal_year": 2022, "first_month": 1}, "t")[2] == "FY2022"
    assert fb.target_window({"month": "2020-02"}, "t")[1] == pd.Timestamp("2020-02-29").date()
    assert fb.target_window({"month": "2023-12"}, "t")[1] == pd.Timestamp("2023-12-31").date()
    with pytest.raises(ValueError, match="exactly one"):
        fb.target_window({"year": 2023, "month": "2023-01"}, "t")


def test_ratio_residual_and_tolerance():
    ds = synthetic_run(daily_encounters=1, daily_darien=0)
    rows = {r[0]: r for r in fb.fit_table(ds)}
    label, low, high, mean, lo, hi, ratio, residual, ok = rows["encounters_fy2021 (FY2021)"]
    assert ratio == pytest.approx(365 / ((323 + 450) / 2))
    assert residual == 0.0  # 365 lies inside the observed range 323-450
    assert ok
    fy2023 = rows["encounters_fy2023 (FY2023)"]
    assert not fy2023[8]
    assert fy2023[7] == pytest.approx((365 - 24048) / (0.1 * (24048 + 24314) / 2))


def test_stocks_are_averaged_and_reductions_can_be_named(tmp_path):
    ds = synthetic_run(1, 1, start="2022-01-01", end="2022-01-10")
    path = targets_file(tmp_path, "targets:\n"
                        "  - {name: b, series: asylum_backlog, window: {from: 2022-01-01, to: 2022-01-10},"
                        " observed: 4.5, error: {sd: 1}}\n"
                        "  - {name: m, series: asylum_backlog, window: {from: 2022-01-01, to: 2022-01-10},"
                        " reduce: max, observed: 9, error: {sd: 1}}\n")
    rows = fb.fit_table(ds, fb.load_targets(path))
    assert rows[0][3] == 4.5 and rows[1][3] == 9.0


@pytest.mark.parametrize("text, message", [
    ("  - {name: x, series: nothing, window: {year: 2022}, observed: 1, error: {sd: 1}}", "no series 'nothing'"),
    ("  - {name: x, series: node_arrivals, at: {node: nowhere}, window: {year: 2022}, observed: 1, error: {sd: 1}}",
     "no node named nowhere"),
    ("  - {name: x, series: node_arrivals, window: {year: 2022}, observed: 1, error: {sd: 1}}", "at:"),
    ("  - {name: x, series: border_encounters, window: {year: 2030}, observed: 1, error: {sd: 1}}",
     "outside the run"),
])
def test_a_target_the_run_cannot_give_is_refused(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        fb.fit_table(synthetic_run(1, 1), fb.load_targets(targets_file(tmp_path, "targets:\n" + text + "\n")))


def test_markdown_table_has_a_row_per_target():
    rows = fb.fit_table(synthetic_run(60, 70))
    table = fb.format_rows(rows, markdown=True).splitlines()
    assert len(table) == 2 + len(rows)
    assert table[0].startswith("| target |")


def test_command_exits_two_on_a_missing_target(tmp_path, tiny_run):
    path = targets_file(tmp_path, "targets:\n  - {name: x, series: node_arrivals, at: {node: panama_reception},"
                        " window: {from: 2022-03-01, to: 2022-03-31}, observed: 1, error: {sd: 1}}\n")
    done = subprocess.run([sys.executable, "-m", "migrasim.fit", str(tiny_run), "--targets", str(path)],
                          capture_output=True, text=True, cwd=fb.ROOT / "analysis")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no node named panama_reception" in done.stderr
    ok = targets_file(tmp_path, "targets:\n  - {name: x, series: node_arrivals, at: {node: haven},"
                      " window: {from: 2022-03-01, to: 2022-03-31}, observed: 1, error: {sd: 1}}\n")
    done = subprocess.run([sys.executable, "-m", "migrasim.fit", str(tiny_run), "--targets", str(ok)],
                          capture_output=True, text=True, cwd=fb.ROOT / "analysis")
    assert done.returncode in (0, 1), done.stderr
    assert "x (2022-03-01..2022-03-31)" in done.stdout
