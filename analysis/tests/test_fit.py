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
    return xr.Dataset(
        {"border_encounters": (("replicate", "time"), enc, flow),
         "node_arrivals": (("replicate", "time", "node"), arrivals, flow)},
        coords={"replicate": np.arange(replicates), "time": time, "node": nodes})


def test_targets_come_from_the_observed_file():
    labels = [t[0] for t in fb.observed_targets()]
    assert labels == ["US border encounters FY2021", "US border encounters FY2022",
                      "US border encounters FY2023", "Darien crossings 2022", "Darien crossings 2023"]


def test_fiscal_and_calendar_years_are_summed_over_the_right_days():
    ds = synthetic_run(daily_encounters=2, daily_darien=3)
    rows = {r[0]: r for r in fb.fit_table(ds)}
    assert rows["US border encounters FY2022"][3] == 2 * 365      # Oct 2021 - Sep 2022
    assert rows["US border encounters FY2021"][3] == 2 * 365      # Oct 2020 - Sep 2021
    assert rows["Darien crossings 2022"][3] == 3 * 365


def test_ratio_and_tolerance():
    ds = synthetic_run(daily_encounters=1, daily_darien=0)
    rows = {r[0]: r for r in fb.fit_table(ds)}
    label, low, high, mean, lo, hi, ratio, ok = rows["US border encounters FY2021"]
    assert ratio == pytest.approx(365 / ((323 + 450) / 2))
    assert ok  # 365 against a midpoint of 386.5
    assert not rows["US border encounters FY2023"][7]
    assert not rows["Darien crossings 2023"][7]


def test_years_outside_the_run_are_skipped():
    ds = synthetic_run(1, 1, start="2022-10-01", end="2023-12-31")
    labels = [r[0] for r in fb.fit_table(ds)]
    assert "US border encounters FY2023" in labels and "Darien crossings 2023" in labels
    assert "Darien crossings 2022" in labels  # partly covered years still count


def test_markdown_table_has_a_row_per_target():
    rows = fb.fit_table(synthetic_run(60, 70))
    table = fb.format_rows(rows, markdown=True).splitlines()
    assert len(table) == 2 + len(rows)
    assert table[0].startswith("| target |")
