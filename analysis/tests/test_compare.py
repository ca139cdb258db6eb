"""Tests of migrasim.compare on synthetic run files with known values, plus one
end-to-end comparison of two runs of the tiny scenario."""
import datetime as dt
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from migrasim import compare, io, windows

ROOT = pathlib.Path(__file__).resolve().parents[2]
START = "2023-01-01"
DAYS = 365
# The test window, 2023-07-01 .. 2023-07-31, is steps 181 .. 211.
W_START, W_END = "2023-07-01", "2023-07-31"
FIRST, LAST = 181, 211
# The stocks among the series written (cell_methods "time: point"); the others are flows.
STOCKS = {"asylum_backlog", "in_transit"}


def write_run(path, data=None, *, name="baseline", seed=42, start=START, days=DAYS, step_days=1.0,
              replicates=None, omit=(), attrs=None):
    """A file laid out like a migrasim run: dims replicate, time, node; CF attributes.
    `data` maps a variable to a (replicate, time) array; other headline series are 0."""
    data = dict(data or {})
    nrep = len(replicates) if replicates is not None else (next(iter(data.values())).shape[0] if data else 5)
    replicates = np.arange(nrep, dtype=float) if replicates is None else np.asarray(replicates, dtype=float)
    steps = int(days)
    coords = {
        "replicate": ("replicate", replicates, {"long_name": "replicate index", "units": "1"}),
        "time": ("time", np.arange(steps) * step_days,
                 {"long_name": "start of the time step", "units": f"days since {start}",
                  "calendar": "proleptic_gregorian", "standard_name": "time", "step_days": step_days}),
        "node": ("node", np.array(["home", "border", "haven"], dtype=object), {"long_name": "route node"}),
    }
    variables = {}
    for metric in compare.METRICS + ["departures", "in_transit"]:
        if metric in omit:
            continue
        kind = "stock" if metric in STOCKS else "flow"
        values = np.asarray(data.get(metric, np.zeros((nrep, steps))), dtype=float)
        assert values.shape == (nrep, steps), metric
        units = "USD per step" if metric.endswith("_usd") else "persons per step" if kind == "flow" else "persons"
        variables[metric] = (("replicate", "time"), values,
                             {"long_name": metric.replace("_", " "), "units": units,
                              "cell_methods": "time: sum" if kind == "flow" else "time: point"})
    variables["node_arrivals"] = (("replicate", "time", "node"), np.zeros((nrep, steps, 3)),
                                  {"long_name": "persons arriving at the node", "units": "persons per step",
                                   "cell_methods": "time: sum"})
    root = {"Conventions": "CF-1.8", "title": f"migrasim run: {name}", "migrasim_version": "test",
            "scenario_yaml": f"name: {name}\n", "scenario_overrides": "", "seed": np.uint64(seed),
            "replicates": np.int64(nrep), "step_days": float(step_days), "command_line": "synthetic"}
    if name is not None:
        root["scenario_name"] = name
    root.update(attrs or {})
    ds = xr.Dataset(variables, coords=coords, attrs=root)
    ds.to_netcdf(path, engine="h5netcdf")
    return pathlib.Path(path)


def window_flow(totals, days=DAYS, outside=1e6):
    """Flows whose sum over the test window is `totals` per replicate, with large
    values on the days just outside it."""
    totals = np.asarray(totals, dtype=float)
    values = np.zeros((totals.size, days))
    values[:, FIRST - 1] = outside
    values[:, LAST + 1] = outside
    values[:, FIRST] = totals / 2
    values[:, LAST] = totals - totals / 2
    return values


def window_stock(ends, days=DAYS):
    """A stock equal to `ends` at the end of the window, something else elsewhere."""
    ends = np.asarray(ends, dtype=float)
    values = np.full((ends.size, days), 7.0)
    values[:, LAST] = ends
    values[:, LAST + 1:] = 999.0
    return values


BASE_BORDER = [100, 200, 300, 400, 500]
SCEN_BORDER = [90, 170, 280, 330, 470]          # differences -10 -30 -20 -70 -30
BASE_SMUGGLED = [200, 200, 200, 200, 200]
SCEN_SMUGGLED = [190, 180, 160, 150, 100]       # averted 10 20 40 50 100


@pytest.fixture
def pair(tmp_path):
    base = write_run(tmp_path / "base.h5", {
        "border_encounters": window_flow(BASE_BORDER),
        "smuggled_departures": window_flow(BASE_SMUGGLED),
        "deaths": window_flow([4, 4, 4, 4, 4]),
        "high_risk_detected": window_flow([5, 5, 5, 5, 5]),
        "asylum_backlog": window_stock([10, 20, 30, 40, 50]),
    }, name="baseline")
    scen = write_run(tmp_path / "scen.h5", {
        "border_encounters": window_flow(SCEN_BORDER),
        "smuggled_departures": window_flow(SCEN_SMUGGLED),
        "deaths": window_flow([4, 4, 4, 4, 4]),
        "high_risk_detected": window_flow([3, 3, 3, 3, 3]),
        "intervention_cost_usd": window_flow([1000] * 5),
        "asylum_backlog": window_stock([15, 20, 25, 30, 35]),
    }, name="task_force")
    return base, scen


def summary(c, label, metric):
    return c.summary[(label, metric)]


def test_window_outcomes_sum_flows_and_take_stocks_at_the_window_end(pair):
    c = compare.compare(pair, W_START, W_END)
    base = c.outcomes[0]
    np.testing.assert_array_equal(base["border_encounters"], BASE_BORDER)
    np.testing.assert_array_equal(base["asylum_backlog"], [10, 20, 30, 40, 50])
    assert c.window.times.size == 31


def test_median_and_90_percent_interval_across_replicates(pair):
    c = compare.compare(pair, W_START, W_END)
    # numpy's linear interpolation over 5 values: p05 = x0 + 0.2 (x1 - x0)
    assert summary(c, "baseline", "border_encounters") == pytest.approx((300, 120, 480))
    assert summary(c, "baseline", "asylum_backlog") == pytest.approx((30, 12, 48))
    assert summary(c, "task_force", "intervention_cost_usd") == pytest.approx((1000, 1000, 1000))
    assert summary(c, "baseline", "deaths") == pytest.approx((4, 4, 4))


def test_paired_differences_are_replicate_by_replicate(pair):
    c = compare.compare(pair, W_START, W_END)
    np.testing.assert_array_equal(c.differences[("task_force", "border_encounters")], [-10, -30, -20, -70, -30])
    # sorted -70 -30 -30 -20 -10
    assert c.diff_summary[("task_force", "border_encounters")] == pytest.approx((-30, -62, -12))
    # 5 0 -5 -10 -15
    assert c.diff_summary[("task_force", "asylum_backlog")] == pytest.approx((-5, -14, 4))
    assert c.diff_summary[("task_force", "intervention_cost_usd")] == pytest.approx((1000, 1000, 1000))
    np.testing.assert_array_equal(c.pairs["task_force"], [0, 1, 2, 3, 4])


def test_pairing_follows_the_replicate_coordinate_not_the_storage_order(tmp_path, pair):
    base, _ = pair
    order = [4, 3, 2, 1, 0]
    shuffled = write_run(tmp_path / "shuffled.h5", {
        "border_encounters": window_flow(np.asarray(SCEN_BORDER)[order])}, replicates=order, name="shuffled")
    c = compare.compare([base, shuffled], W_START, W_END)
    np.testing.assert_array_equal(c.differences[("shuffled", "border_encounters")], [-10, -30, -20, -70, -30])


def test_cost_effectiveness_ratios(pair):
    c = compare.compare(pair, W_START, W_END)
    rows = {r["key"]: r for r in c.cost_effectiveness}
    smuggled = rows["usd_per_smuggled_departure_averted"]
    assert smuggled["extra_cost"] == 1000 and smuggled["effect"] == 40
    assert smuggled["ratio"] == pytest.approx(25.0)
    # per-replicate ratios 100 50 25 20 10
    assert (smuggled["low"], smuggled["high"]) == pytest.approx((12.0, 90.0))
    border = rows["usd_per_border_encounter_averted"]
    assert border["effect"] == 30 and border["ratio"] == pytest.approx(1000 / 30)
    per = 1000 / np.array([10, 30, 20, 70, 30])
    assert (border["low"], border["high"]) == pytest.approx(tuple(np.percentile(per, [5, 95])))
    # nothing averted / fewer detections: n/a, never a negative or infinite ratio
    assert rows["usd_per_death_averted"]["ratio"] is None
    assert rows["usd_per_death_averted"]["reason"] == "nothing averted"
    assert rows["usd_per_high_risk_detection_added"]["ratio"] is None
    assert rows["usd_per_high_risk_detection_added"]["effect"] == -2


def test_cost_effectiveness_edge_cases():
    diffs = {"intervention_cost_usd": np.array([100.0, 100.0, 100.0]),
             "smuggled_departures": np.array([5.0, -10.0, -20.0]),   # one pair the wrong way
             "deaths": np.array([1.0, 2.0, 3.0]),                     # more deaths
             "high_risk_detected": np.array([0.0, 2.0, 4.0])}
    rows = {r["key"]: r for r in compare.cost_effectiveness_rows("x", diffs)}
    assert rows["usd_per_smuggled_departure_averted"]["ratio"] == pytest.approx(10.0)
    assert rows["usd_per_smuggled_departure_averted"]["low"] is None    # not every pair averts
    assert rows["usd_per_death_averted"]["ratio"] is None
    assert rows["usd_per_high_risk_detection_added"]["ratio"] == pytest.approx(50.0)
    assert "usd_per_border_encounter_averted" not in rows              # metric absent
    saving = compare.cost_effectiveness_rows("x", {"intervention_cost_usd": np.array([-5.0, -5.0]),
                                                   "deaths": np.array([-1.0, -1.0])})
    assert saving[0]["ratio"] is None and saving[0]["reason"] == "saves money"
    assert compare.cost_effectiveness_rows("x", {"deaths": np.array([-1.0])}) == []


def test_unequal_replicate_counts_pair_the_common_ones(tmp_path, pair):
    base, _ = pair
    short = write_run(tmp_path / "short.h5", {"border_encounters": window_flow(SCEN_BORDER[:3])}, name="short")
    c = compare.compare([base, short], W_START, W_END)
    np.testing.assert_array_equal(c.pairs["short"], [0, 1, 2])
    np.testing.assert_array_equal(c.differences[("short", "border_encounters")], [-10, -30, -20])
    assert summary(c, "short", "border_encounters")[0] == 170            # its own 3 replicates
    assert summary(c, "baseline", "border_encounters")[0] == 300         # the baseline's 5
    assert any("3 common replicate(s) (0-2)" in n for n in c.notes)
    assert "3 common replicate(s)" in compare.report_text(c)


def test_different_seeds_are_pointed_out(tmp_path, pair):
    base, _ = pair
    other = write_run(tmp_path / "other.h5", {"border_encounters": window_flow(SCEN_BORDER)}, seed=43, name="o")
    c = compare.compare([base, other], W_START, W_END)
    assert any("seed 43" in n and "seed 42" in n for n in c.notes)


def test_different_populations_are_pointed_out(tmp_path, pair):
    base = write_run(tmp_path / "big.h5", attrs={"agents": np.int64(100000)})
    small = write_run(tmp_path / "small.h5", attrs={"agents": np.int64(20000)}, name="small")
    c = compare.compare([base, small])
    assert any("20000 agents, the baseline with 100000" in n for n in c.notes)


def test_interventions_are_listed_in_the_provenance(tmp_path, pair):
    base, _ = pair
    path = tmp_path / "policy.h5"
    write_run(path, name="policy")
    activity = np.zeros((5, DAYS, 2))
    activity[:, 100:, 0] = 1.0
    extra = xr.Dataset(
        {"intervention_activity": (("replicate", "time", "intervention"), activity,
                                   {"units": "1", "cell_methods": "time: point"})},
        coords={"intervention": ("intervention", np.array(["crackdown", "campaign"], dtype=object),
                                 {"intervention_types": "smuggling_task_force outreach_campaign"})})
    extra.to_netcdf(path, mode="a", engine="h5netcdf")
    c = compare.compare([base, path])
    assert c.runs[1].interventions == [
        "crackdown (smuggling_task_force): in force 2023-04-11 .. 2023-12-31",
        "campaign (outreach_campaign): never in force"]
    assert "crackdown (smuggling_task_force)" in compare.report_text(c)
    assert "crackdown (smuggling_task_force)" in compare.report_html(c)


def test_labels_fall_back_to_the_stem_and_are_made_unique(tmp_path):
    a = write_run(tmp_path / "a.h5", name="same")
    b = write_run(tmp_path / "b.h5", name="same")
    d = write_run(tmp_path / "c.h5", name="same")
    unnamed = write_run(tmp_path / "no_name.h5", name=None)
    c = compare.compare([a, b, d, unnamed])
    assert [r.label for r in c.runs] == ["same (a)", "same (b)", "same (c)", "no_name"]
    twice = compare.compare([a, a])
    assert [r.label for r in twice.runs] == ["same (a)", "same (a) #2"]


def test_missing_metrics_are_skipped(tmp_path):
    base = write_run(tmp_path / "base.h5", omit=("coerced_arrivals", "intervention_cost_usd"))
    other = write_run(tmp_path / "other.h5", omit=("asylum_backlog",), name="other")
    c = compare.compare([base, other])
    assert "coerced_arrivals" not in c.outcomes[0] and ("other", "coerced_arrivals") in c.summary
    assert ("other", "coerced_arrivals") not in c.diff_summary
    assert ("other", "asylum_backlog") not in c.diff_summary
    assert c.cost_effectiveness == []
    assert any("lacks coerced_arrivals, intervention_cost_usd" in n for n in c.notes)
    assert any("no cost-effectiveness" in n for n in c.notes)
    text = compare.report_text(c)
    assert "coerced_arrivals" in text


def test_default_window_is_the_baseline_run(pair):
    c = compare.compare(pair)
    assert (c.window.start, c.window.end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    # the values just outside the test window are inside the whole run
    assert summary(c, "baseline", "border_encounters")[0] == 300 + 2e6
    assert summary(c, "baseline", "asylum_backlog")[0] == 999


def test_first_divergence_from_the_baseline(tmp_path, pair):
    base, _ = pair
    same = write_run(tmp_path / "same.h5", {"border_encounters": window_flow(BASE_BORDER),
                                            "smuggled_departures": window_flow(BASE_SMUGGLED),
                                            "deaths": window_flow([4] * 5),
                                            "high_risk_detected": window_flow([5] * 5),
                                            "asylum_backlog": window_stock([10, 20, 30, 40, 50])}, name="same")
    c = compare.compare([base, same, pair[1]], W_START, W_END)
    assert c.divergence["same"] is None
    # task_force's intervention cost has its outside-the-window value on 2023-06-30;
    # the divergence is looked for over the whole run, not only the window
    assert c.divergence["task_force"] == dt.date(2023, 6, 30)
    assert "never (identical to the baseline)" in compare.report_text(c)


def test_monthly_series_sum_flows_and_take_stocks_at_month_end(pair):
    c = compare.compare(pair, "2023-06-01", "2023-08-31")
    run, idx = c.runs[0], c.window.indices[0]
    flows = compare.monthly(run, idx, "border_encounters")
    assert list(flows.index.strftime("%Y-%m")) == ["2023-06", "2023-07", "2023-08"]
    np.testing.assert_array_equal(flows.iloc[1].values, BASE_BORDER)
    np.testing.assert_array_equal(flows.iloc[0].values, [1e6] * 5)
    stocks = compare.monthly(run, idx, "asylum_backlog")
    np.testing.assert_array_equal(stocks.iloc[1].values, [10, 20, 30, 40, 50])
    np.testing.assert_array_equal(stocks.iloc[2].values, [999] * 5)


def test_cli_prints_tables_and_writes_csv(pair, tmp_path, capsys):
    table = tmp_path / "table.csv"
    assert compare.main([str(p) for p in pair] + ["--start", W_START, "--end", W_END, "--csv", str(table)]) == 0
    out = capsys.readouterr().out
    for text in ("baseline", "task_force", "border_encounters", "median", "Paired differences",
                 "USD per smuggled departure averted", "n/a", "2023-07-01 .. 2023-07-31"):
        assert text in out
    df = pd.read_csv(table)
    assert list(df.columns) == ["scenario", "metric", "statistic", "value"]
    def value(scenario, metric, statistic):
        hit = df[(df.scenario == scenario) & (df.metric == metric) & (df.statistic == statistic)]
        assert len(hit) == 1, (scenario, metric, statistic)
        return hit.value.iloc[0]
    assert value("baseline", "border_encounters", "median") == 300
    assert value("baseline", "border_encounters", "p05") == pytest.approx(120)
    assert value("baseline", "border_encounters", "p95") == pytest.approx(480)
    assert value("task_force", "border_encounters", "diff_median") == -30
    assert value("task_force", "border_encounters", "diff_p05") == pytest.approx(-62)
    assert value("task_force", "usd_per_smuggled_departure_averted", "ratio") == pytest.approx(25)
    assert np.isnan(value("task_force", "usd_per_death_averted", "ratio"))   # written as n/a
    assert value("task_force", "replicates", "paired") == 5
    assert "n/a" in table.read_text()


def test_cli_writes_plots_and_a_self_contained_html_report(pair, tmp_path, capsys):
    plots, report = tmp_path / "plots", tmp_path / "report.html"
    assert compare.main([str(p) for p in pair] + ["--start", W_START, "--end", W_END,
                                                  "--plots", str(plots), "--html", str(report)]) == 0
    names = sorted(p.name for p in plots.iterdir())
    assert "differences.png" in names and "timeseries_border_encounters.png" in names
    assert "timeseries_asylum_backlog.png" in names
    for png in plots.iterdir():
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = report.read_text()
    lower = text.lower()
    # interactive figures, not images; nothing loaded from elsewhere (test_compare_report.py checks more)
    assert "<img" not in lower and "<link" not in lower and "<script src" not in lower
    assert text.count('class="chart"') >= 3
    for needle in ("How to read this", "common random numbers", "90% interval", str(pair[0]), str(pair[1]),
                   "task_force", "42", "2023-07-01 .. 2023-07-31", "Cost-effectiveness", "Paired differences",
                   "USD per smuggled departure averted"):
        assert needle in text, needle
    assert f"wrote {report} (" in capsys.readouterr().out


@pytest.mark.parametrize("case, message", [
    ("missing", "no such file"),
    ("not_a_run", "not a migrasim run file (no border_encounters"),
    ("not_hdf5", "not a readable netCDF-4/HDF5 run file"),
    ("start_before", "the window start 2022-12-01 is outside the data"),
    ("end_after", "the window end 2024-02-01 is outside the data"),
    ("reversed", "after it ends"),
    ("shorter", "short.h5 has data from 2023-01-01 to 2023-06-30"),
    ("step_days", "time axes differ"),
    ("nan", "unwritten (NaN) values"),
])
def test_errors_exit_2_with_a_clear_message(pair, tmp_path, capsys, case, message):
    base, scen = pair
    args = [str(base), str(scen)]
    if case == "missing":
        args = [str(base), str(tmp_path / "nope.h5")]
    elif case == "not_a_run":
        other = tmp_path / "other.nc"
        xr.Dataset({"foo": ("x", np.arange(3.0))}).to_netcdf(other, engine="h5netcdf")
        args = [str(base), str(other)]
    elif case == "not_hdf5":
        other = tmp_path / "notes.h5"
        other.write_text("hello\n")
        args = [str(base), str(other)]
    elif case == "start_before":
        args += ["--start", "2022-12-01"]
    elif case == "end_after":
        args += ["--end", "2024-02-01"]
    elif case == "reversed":
        args += ["--start", "2023-08-01", "--end", "2023-07-01"]
    elif case == "shorter":
        args = [str(base), str(write_run(tmp_path / "short.h5", days=181, name="short"))]
    elif case == "step_days":
        other = write_run(tmp_path / "coarse.h5", days=183, step_days=2.0, name="coarse")
        args = [str(base), str(other), "--start", W_START, "--end", W_END]
    elif case == "nan":
        values = window_flow(BASE_BORDER)
        values[2, 190] = np.nan
        args = [str(base), str(write_run(tmp_path / "nan.h5", {"border_encounters": values}, name="nan")),
                "--start", W_START, "--end", W_END]
    assert compare.main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("compare.py: error:")


def test_time_axis_error_names_the_files(pair, tmp_path, capsys):
    base, _ = pair
    coarse = write_run(tmp_path / "coarse.h5", days=183, step_days=2.0, name="coarse")
    assert compare.main([str(base), str(coarse), "--start", W_START, "--end", W_END]) == 2
    err = capsys.readouterr().err
    assert str(coarse) in err and str(base) in err and "step(s) of 2 day(s)" in err


def test_shorter_file_with_the_default_window_suggests_end(pair, tmp_path, capsys):
    base, _ = pair
    short = write_run(tmp_path / "short.h5", days=181, name="short")
    assert compare.main([str(base), str(short)]) == 2
    assert "pass --end" in capsys.readouterr().err
    assert compare.main([str(base), str(short), "--end", "2023-06-30"]) == 0


def test_bad_date_is_a_usage_error(pair, capsys):
    with pytest.raises(SystemExit) as exit_info:
        compare.main([str(pair[0]), "--start", "2023-13-01"])
    assert exit_info.value.code == 2
    assert "is not a date" in capsys.readouterr().err


def test_script_runs_as_a_program(pair):
    result = subprocess.run([str(ROOT / "analysis" / "compare.py"), str(pair[0]), str(pair[1]),
                             "--start", W_START, "--end", W_END], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "task_force" in result.stdout
    result = subprocess.run([str(ROOT / "analysis" / "compare.py"), str(pair[0]), "/nonexistent.h5"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no such file" in result.stderr


def test_end_to_end_two_runs_of_the_tiny_scenario(migrasim_binary, tmp_path):
    """Two runs of tests/data/tiny.yaml, same seed, the second with a weaker border
    checkpoint. One thread: the data do not depend on it, and OpenMP's spinning
    threads slow a run down badly when other processes share the cores."""
    common = ["--replicates", "3", "--quiet", "--threads", "1"]
    files = {}
    for label, detection in (("strict", "0.9"), ("lax", "0.4")):
        files[label] = tmp_path / f"{label}.h5"
        subprocess.run([str(migrasim_binary), "run", str(ROOT / "tests" / "data" / "tiny.yaml"),
                        "-o", str(files[label]), *common,
                        "--set", f"checkpoints.border_patrol.detection_probability={detection}"],
                       check=True, timeout=120)
    table, report = tmp_path / "t.csv", tmp_path / "r.html"
    result = subprocess.run([str(ROOT / "analysis" / "compare.py"), str(files["strict"]), str(files["lax"]),
                             "--start", "2022-03-15", "--csv", str(table), "--html", str(report)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "tiny (strict)" in result.stdout and "tiny (lax)" in result.stdout   # same scenario name
    c = compare.compare([files["strict"], files["lax"]], "2022-03-15")
    assert c.window.end == dt.date(2022, 4, 29)
    assert [len(r.replicates) for r in c.runs] == [3, 3]
    assert c.runs[0].seed == c.runs[1].seed == 7
    # the compared totals are those of the project's reader over the same window
    for run, outcomes in zip(c.runs, c.outcomes):
        with io.open_run(run.path) as ds:
            totals = windows.window_totals(ds, "2022-03-15", "2022-04-29")
        for metric, values in outcomes.items():
            np.testing.assert_array_equal(values, totals[metric], err_msg=metric)
    # a weaker checkpoint stops fewer people in every replicate
    assert c.diff_summary[("tiny (lax)", "border_encounters")][2] < 0
    np.testing.assert_array_equal(c.differences[("tiny (lax)", "border_encounters")],
                                  c.outcomes[1]["border_encounters"] - c.outcomes[0]["border_encounters"])
    assert c.diff_summary[("tiny (lax)", "intervention_cost_usd")] == (0, 0, 0)
    df = pd.read_csv(table)
    assert set(df.scenario) == {"tiny (strict)", "tiny (lax)"}
    assert report.read_text().count('class="chart"') >= 3
