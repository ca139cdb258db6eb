"""migrasim.summary and the window totals of migrasim.windows on a run of the tiny scenario."""
import warnings

import numpy as np
import pytest

from migrasim import io, summary, windows


def test_window_totals_sum_flows_and_read_stocks_at_the_end(tiny_run):
    with io.open_run(tiny_run) as ds:
        totals = windows.window_totals(ds)
        np.testing.assert_array_equal(totals["departures"], ds.departures.sum("time").values)
        np.testing.assert_array_equal(totals["asylum_backlog"], ds.asylum_backlog.isel(time=-1).values)
        assert totals["departures"].shape == (3,)
        assert "node_stock" not in totals  # per-node series are not scalar series


def test_window_restricts_the_time_range(tiny_run):
    with io.open_run(tiny_run) as ds:
        start, end = str(ds.time.values[10])[:10], str(ds.time.values[19])[:10]
        totals = windows.window_totals(ds, start, end)
        expected = ds.departures.isel(time=slice(10, 20)).sum("time").values
        np.testing.assert_array_equal(totals["departures"], expected)
        with pytest.raises(ValueError):
            windows.window_totals(ds, "1990-01-01", "1990-02-01")


def test_summary_rows_are_median_and_90_percent_interval():
    rows = dict((name, (m, lo, hi)) for name, m, lo, hi in summary.summary_rows({"x": np.arange(101.0)}))
    assert rows["x"] == pytest.approx((50.0, 5.0, 95.0))


def test_script_prints_a_table(tiny_run, capsys):
    assert summary.main([str(tiny_run)]) == 0
    out = capsys.readouterr().out
    assert "border_encounters" in out and "median" in out


def test_every_series_of_a_run_file_says_whether_it_is_a_flow_or_a_stock(tiny_run):
    with io.open_run(tiny_run) as ds, warnings.catch_warnings():
        warnings.simplefilter("error", io.MissingAttributeWarning)
        for name, var in ds.data_vars.items():
            assert var.attrs.get("cell_methods") in windows.REDUCTIONS, name
        windows.window_totals(ds)
