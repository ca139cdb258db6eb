import numpy as np
import pytest

import migrasim_output as mo


def test_window_totals_sum_flows_and_read_stocks_at_the_end(tiny_run):
    with mo.open_run(tiny_run) as ds:
        totals = mo.window_totals(ds)
        np.testing.assert_array_equal(totals["departures"], ds.departures.sum("time").values)
        np.testing.assert_array_equal(totals["asylum_backlog"], ds.asylum_backlog.isel(time=-1).values)
        assert totals["departures"].shape == (3,)
        assert "node_stock" not in totals  # per-node series are not scalar series


def test_window_restricts_the_time_range(tiny_run):
    with mo.open_run(tiny_run) as ds:
        start, end = str(ds.time.values[10])[:10], str(ds.time.values[19])[:10]
        totals = mo.window_totals(ds, start, end)
        expected = ds.departures.isel(time=slice(10, 20)).sum("time").values
        np.testing.assert_array_equal(totals["departures"], expected)
        with pytest.raises(ValueError):
            mo.window_totals(ds, "1990-01-01", "1990-02-01")


def test_summary_rows_are_median_and_90_percent_interval():
    rows = dict((name, (m, lo, hi)) for name, m, lo, hi in mo.summary_rows({"x": np.arange(101.0)}))
    assert rows["x"] == pytest.approx((50.0, 5.0, 95.0))


def test_script_prints_a_table(tiny_run, capsys):
    assert mo.main([str(tiny_run)]) == 0
    out = capsys.readouterr().out
    assert "border_encounters" in out and "median" in out
