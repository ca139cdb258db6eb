"""Monthly predictive intervals: whole months only, flows summed and stocks read
at the month's end, places selected by name, paired differences."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from migrasim import fit
from migrasim import forecast as fc


def synthetic_run(scale, replicates=101, start="2024-01-01", end="2024-03-15"):
    """border_encounters: replicate r has `scale * r` persons a day; node_arrivals at
    'b' twice that; asylum_backlog a stock equal to the day of the year."""
    time = pd.date_range(start, end, freq="D")
    r = np.arange(replicates, dtype=float)[:, None]
    daily = np.repeat(scale * r, time.size, axis=1)
    flow = {"units": "persons per step", "cell_methods": "time: sum"}
    stock = {"units": "persons", "cell_methods": "time: point"}
    arrivals = np.stack([daily, 2 * daily], axis=2)
    backlog = np.tile(np.asarray(time.dayofyear, float), (replicates, 1))
    return xr.Dataset({"border_encounters": (("replicate", "time"), daily, flow),
                       "asylum_backlog": (("replicate", "time"), backlog, stock),
                       "node_arrivals": (("replicate", "time", "node"), arrivals, flow)},
                      coords={"replicate": np.arange(replicates), "time": time, "node": ["a", "b"]})


def test_months_are_whole_flows_summed_stocks_at_the_end():
    ds = synthetic_run(1.0)
    months, values = fc.monthly(fc.series_values(ds, "border_encounters"))
    assert months == ["2024-01", "2024-02"]  # March is cut at the 15th: left out
    assert values[:, 0].tolist() == pytest.approx((31 * np.arange(101)).tolist())
    assert values[:, 1].tolist() == pytest.approx((29 * np.arange(101)).tolist())
    _, backlog = fc.monthly(fc.series_values(ds, "asylum_backlog"))
    assert backlog[0].tolist() == [31, 60]
    _, at_b = fc.monthly(fc.series_values(ds, "node_arrivals@b"), first="2024-02")
    assert at_b[:, 0].tolist() == pytest.approx((2 * 29 * np.arange(101)).tolist())


def test_intervals_and_paired_differences():
    ds, other = synthetic_run(1.0), synthetic_run(0.5)
    _, values = fc.monthly(fc.series_values(ds, "border_encounters"))
    _, base = fc.monthly(fc.series_values(other, "border_encounters"))
    rows = fc.table_rows(values, base)
    # 31 * r for r = 0..100: quantiles at 31 * (5, 25, 50, 75, 95).
    assert rows[0][:3] == ["1,550", "775-2,325", "155-2,945"]
    # Paired difference 15.5 * r.
    assert rows[0][5] == "+775" and rows[0][6] == "+78 to +1,472"


@pytest.mark.parametrize("spec, message", [("nothing", "no series 'nothing'"),
                                           ("node_arrivals", "say which with node_arrivals@NAME"),
                                           ("node_arrivals@z", "no node named 'z'"),
                                           ("border_encounters@a", "has no node")])
def test_a_series_the_run_lacks_is_refused(spec, message):
    with pytest.raises(ValueError, match=message):
        fc.series_values(synthetic_run(1.0), spec)


def test_command_writes_table_and_refuses_unpaired_runs(tmp_path):
    a, b, c = tmp_path / "a.h5", tmp_path / "b.h5", tmp_path / "c.h5"
    synthetic_run(1.0).to_netcdf(a, engine="h5netcdf")
    synthetic_run(0.5).to_netcdf(b, engine="h5netcdf")
    synthetic_run(0.5, replicates=7).to_netcdf(c, engine="h5netcdf")
    cwd = fit.ROOT / "analysis"
    out = subprocess.run([sys.executable, "-m", "migrasim.forecast", str(a), "--against", str(b), "--series",
                          "node_arrivals@a", "--csv", str(tmp_path / "q.csv")], capture_output=True, text=True, cwd=cwd)
    assert out.returncode == 0, out.stderr
    assert "2024-01" in out.stdout and "2024-03" not in out.stdout
    assert len(pd.read_csv(tmp_path / "q.csv")) == 4
    out = subprocess.run([sys.executable, "-m", "migrasim.forecast", str(a), "--against", str(c)],
                         capture_output=True, text=True, cwd=cwd)
    assert out.returncode == 2 and "not paired" in out.stderr
