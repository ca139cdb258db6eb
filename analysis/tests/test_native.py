"""migrasim in this process (migrasim.load, validate, run, simulator) against the
executable: the same scenario must give the same bits, the same errors and the
same names either way."""
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import xarray as xr

import migrasim
from migrasim import windows

ROOT = pathlib.Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"
BAD = ROOT / "tests" / "data" / "bad"
# The root attribute that says how a file was made: the executable's command
# line there, the Python call here.
HOW_MADE = {"command_line"}

# An intervention gives the file its intervention axis and variable.
TINY_WITH_POLICY = f"""
extends: {TINY}
name: tiny_policy
interventions:
  - type: smuggling_task_force
    name: task_force
    start: 2022-03-20
    arrest_rate_per_day: 0.01
"""


def cli(binary, *args, check=True):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True,
                          check=check)


def assert_same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    if a.dtype.kind in "fiu":
        assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
    else:
        assert a.tolist() == b.tolist()


def assert_same_dataset(memory, disk):
    """Variables, coordinates, dimensions and attributes, value by value, bit by bit."""
    assert list(memory.data_vars) == list(disk.data_vars)
    assert list(memory.coords) == list(disk.coords)
    assert dict(memory.sizes) == dict(disk.sizes)
    for name in list(disk.coords) + list(disk.data_vars):
        assert memory[name].dims == disk[name].dims, name
        assert memory[name].attrs == disk[name].attrs, name
        assert memory[name].encoding.get("dtype") == disk[name].encoding.get("dtype"), name
        assert_same_bits(memory[name].values, disk[name].values)
    assert set(memory.attrs) == set(disk.attrs)
    for key in set(disk.attrs) - HOW_MADE:
        assert memory.attrs[key] == disk.attrs[key], key


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("policy") / "tiny_policy.yaml"
    path.write_text(TINY_WITH_POLICY)
    return path


@pytest.mark.parametrize("threads", [1, 2])
def test_run_in_memory_is_the_file_bit_for_bit(tmp_path, migrasim_binary, threads):
    out = tmp_path / "tiny.h5"
    cli(migrasim_binary, "run", TINY, "-o", out, "--replicates", 2, "--seed", 11, "--quiet",
        "--set", "population.agents=1500", "--set", "decisions.hardship_weight=3.5")
    scenario = migrasim.load(str(TINY), {"population.agents": 1500,
                                         "decisions.hardship_weight": 3.5})
    memory = migrasim.run(scenario, replicates=2, seed=11, threads=threads)
    with xr.open_dataset(out, engine="h5netcdf") as disk:
        assert_same_dataset(memory, disk)
    assert memory.attrs["command_line"] == (
        f"migrasim.run({str(TINY)!r}, replicates=2, seed=11, threads={threads})")
    assert memory.attrs["scenario_overrides"] == (
        "population.agents=1500\ndecisions.hardship_weight=3.5")
    assert memory.border_encounters.sum() > 0
    assert not list(tmp_path.glob("*.tmp.*"))


def test_run_with_interventions_is_the_file(tmp_path, migrasim_binary, policy_file):
    out = tmp_path / "policy.h5"
    cli(migrasim_binary, "run", policy_file, "-o", out, "--quiet")
    memory = migrasim.run(str(policy_file))
    assert "intervention_activity" in memory
    with xr.open_dataset(out, engine="h5netcdf") as disk:
        assert_same_dataset(memory, disk)


def test_run_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    migrasim.run(TINY.read_text())
    assert list(tmp_path.iterdir()) == []


def test_run_from_text_names_the_string():
    ds = migrasim.run(TINY.read_text(), replicates=1)
    assert ds.attrs["scenario_file"] == "<string>"
    assert ds.attrs["scenario_yaml"] == TINY.read_text()


def test_posterior_run_equals_the_executables(migrasim_binary, tmp_path):
    calibration = tmp_path / "c.yaml"
    calibration.write_text(
        f"name: tiny_cal\nscenario: {TINY}\nseed: 2\npopulation: 20\n"
        "stop: {max_generations: 2, max_simulations: 2000}\n"
        "parameters:\n"
        "  - {name: base_rate, key: decisions.base_rate_per_day, prior: log_uniform,\n"
        "     range: [5.0e-5, 8.0e-4]}\n"
        "targets:\n"
        "  - {name: encounters, series: border_encounters,\n"
        "     window: {from: 2022-04-01, to: 2022-04-29}, observed: 1640, error: {relative_sd: 0.1}}\n")
    cli(migrasim_binary, "calibrate", calibration, "-o", tmp_path / "p.h5", "--quiet")
    cli(migrasim_binary, "run", TINY, "-o", tmp_path / "r.h5", "--replicates", "3",
        "--posterior", tmp_path / "p.h5", "--quiet")
    ds = migrasim.run(str(TINY), replicates=3, posterior=tmp_path / "p.h5")
    with xr.open_dataset(tmp_path / "r.h5") as disk:
        for name in ("particle", "parameter_value", "border_encounters", "node_arrivals"):
            assert np.array_equal(ds[name].values, disk[name].values), name
    assert len(set(ds["parameter_value"].values[:, 0])) > 1  # the replicates differ


@pytest.mark.parametrize("bad", ["unknown_key.yaml", "probability_above_one.yaml",
                                 "unknown_node_in_edge.yaml", "malformed_yaml.yaml"])
def test_errors_are_the_executables(migrasim_binary, bad):
    result = cli(migrasim_binary, "validate", BAD / bad, check=False)
    assert result.returncode == 2
    expected = result.stderr.strip().removeprefix("migrasim: error: ")
    with pytest.raises(migrasim.ScenarioError) as raised:
        migrasim.load(str(BAD / bad))
    error = raised.value
    assert str(error) == expected
    assert isinstance(error, ValueError)
    assert error.file == str(BAD / bad)
    assert error.line is not None and error.column is not None
    key = "" if bad == "malformed_yaml.yaml" else f" {error.key}:"
    assert f"{error.file}:{error.line}:{error.column}:{key} {error.message}" == expected


def test_error_parts_in_text():
    text = TINY.read_text().replace("travel_days: 5, cost_usd: 300", "travel_days: 5, cost_usdd: 300")
    with pytest.raises(migrasim.ScenarioError) as raised:
        migrasim.load(text)
    error = raised.value
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "cost_usdd" in l)
    assert (error.file, error.line, error.key) == ("<string>", line, "route.edges[1].cost_usdd")
    assert error.column == text.splitlines()[line - 1].index("cost_usdd") + 1
    assert error.message.startswith("unknown key; did you mean 'cost_usd'?")


def test_overrides(migrasim_binary):
    scenario = migrasim.load(TINY, overrides={"population.agents": 1000, "run.seed": 3,
                                              "regions.north.population_share": 0.5})
    assert (scenario.agents, scenario.seed) == (1000, 3)
    assert scenario.overrides == ["population.agents=1000", "run.seed=3",
                                  "regions.north.population_share=0.5"]
    assert migrasim.load(TINY, ["population.agents=1000"]).agents == 1000
    # A Scenario with more overrides keeps its own.
    assert migrasim.load(scenario, {"run.seed": 4}).agents == 1000
    bad = cli(migrasim_binary, "validate", TINY, "--set", "population.agents=-5", check=False)
    with pytest.raises(migrasim.ScenarioError) as raised:
        migrasim.load(TINY, {"population.agents": -5})
    assert str(raised.value) == bad.stderr.strip().removeprefix("migrasim: error: ")
    assert raised.value.file == "--set population.agents=-5"
    assert (raised.value.line, raised.value.key) == (None, "population.agents")


def test_validate_is_the_executables(migrasim_binary):
    expected = cli(migrasim_binary, "validate", TINY, "--set", "population.agents=1000").stdout
    assert migrasim.validate(str(TINY), {"population.agents": 1000}) == expected.strip()


def test_names(policy_file):
    s = migrasim.load(policy_file)
    assert s.name == "tiny_policy"
    assert s.regions == ["north", "south"]
    assert s.nodes == ["home", "hub", "jungle", "flight", "border", "haven"]
    assert s.node_kinds == ["origin", "transit", "transit", "transit", "border", "destination"]
    assert sorted(s.edges) == sorted([("home", "hub"), ("hub", "jungle"), ("hub", "flight"),
                                      ("jungle", "border"), ("flight", "border"),
                                      ("border", "haven")])
    assert s.checkpoints == ["border_patrol"]
    assert s.networks == []
    assert s.interventions == [("task_force", "smuggling_task_force")]
    assert (s.start, s.step_days, s.steps) == ("2022-03-01", 1.0, 60)
    ds = migrasim.run(s)
    assert [x["name"] for x in s.series] == list(ds.data_vars)
    for x in s.series:
        var = ds[x["name"]]
        assert (x["units"], x["long_name"], x["cell_methods"], x["dims"]) == (
            var.attrs["units"], var.attrs["long_name"], var.attrs["cell_methods"], var.dims)


SUMMARIES = [
    {"series": "border_encounters"},
    {"series": "departures", "window": {"month": "2022-03"}},
    {"series": "node_arrivals", "at": {"node": "border"},
     "window": {"start": "2022-04-01", "end": "2022-04-15"}},
    {"series": "in_transit", "window": {"fiscal_year": 2022, "first_month": 4}, "reduce": "mean"},
    {"series": "asylum_backlog", "window": {"year": 2022}},
]


def test_simulator_matches_run_and_is_deterministic():
    scenario = migrasim.load(TINY)
    f = migrasim.simulator(scenario, ["decisions.hardship_weight", "population.agents"], SUMMARIES,
                           replicates=2, seed=5)
    values = f([3.5, 1500])
    assert values.shape == (len(SUMMARIES),) and values.dtype == np.float64
    assert f({"population.agents": 1500, "decisions.hardship_weight": 3.5}).tobytes() == values.tobytes()
    assert f([3.5, 1500], seed=6).tobytes() != values.tobytes()
    per_replicate = migrasim.simulator(scenario, ["decisions.hardship_weight", "population.agents"],
                                       SUMMARIES, replicates=2, seed=5, replicate_mean=False)
    rows = per_replicate([3.5, 1500])
    assert rows.shape == (2, len(SUMMARIES))

    # The same summaries from the Dataset of the same run.
    ds = migrasim.run(migrasim.load(TINY, {"decisions.hardship_weight": 3.5,
                                           "population.agents": 1500}), replicates=2, seed=5)
    expected = np.stack([
        ds.border_encounters.sum("time").values,
        ds.departures.sel(time=slice("2022-03-01", "2022-03-31")).sum("time").values,
        ds.node_arrivals.sel(node="border", time=slice("2022-04-01", "2022-04-15")).sum("time").values,
        ds.in_transit.sel(time=slice("2021-04-01", "2022-03-31")).mean("time").values,
        ds.asylum_backlog.sel(time=slice("2022-01-01", "2022-12-31")).isel(time=-1).values,
    ], axis=1)
    np.testing.assert_array_equal(rows, expected)
    np.testing.assert_array_equal(values, expected.mean(axis=0))
    assert f.labels[2] == "node_arrivals at border 2022-04-01..2022-04-15 (sum)"


def test_simulator_refuses_what_it_cannot_do():
    scenario = migrasim.load(TINY)
    with pytest.raises(ValueError, match="no series named 'border_encounter'"):
        migrasim.simulator(scenario, [], ["border_encounter"])
    with pytest.raises(ValueError, match="not a node of the scenario"):
        migrasim.simulator(scenario, [], [{"series": "node_stock", "at": {"node": "nowhere"}}])
    with pytest.raises(ValueError, match="'at' is for series with their own axis"):
        migrasim.simulator(scenario, [], [{"series": "deaths", "at": {"node": "hub"}}])
    with pytest.raises(ValueError, match="no time steps"):
        migrasim.simulator(scenario, [], [{"series": "deaths", "window": {"year": 2023}}])
    f = migrasim.simulator(scenario, ["decisions.hardship_weightt"], ["deaths"])
    with pytest.raises(migrasim.ScenarioError, match="hardship_weightt"):
        f([1.0])
    with pytest.raises(ValueError, match="missing"):
        f({})


def test_simulator_speed_smoke():
    """Cheap enough to call many times: the tiny scenario (2000 agents x 60 steps)
    in well under a second per call, here or on a loaded machine."""
    f = migrasim.simulator(TINY, ["decisions.hardship_weight"], ["border_encounters"])
    f([3.0])
    start = time.perf_counter()
    for w in np.linspace(2.0, 4.0, 10):
        f([w])
    assert (time.perf_counter() - start) / 10 < 0.5


INTERRUPTED_RUN = f"""
import os, signal, threading, time
import migrasim
# Python's own handler, even when the tests were started in the background
# (a non-interactive shell's `&` starts commands with SIGINT ignored).
signal.signal(signal.SIGINT, signal.default_int_handler)
# Long enough that SIGINT lands mid-run: 1.8e9 agent-steps, minutes of work.
scenario = migrasim.load({str(TINY)!r}, {{"population.agents": 300000}})
threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
start = time.perf_counter()
try:
    migrasim.run(scenario, replicates=100)
except KeyboardInterrupt:
    print(f"interrupted after {{time.perf_counter() - start:.1f}} s")
# The stop was for that run only.
assert migrasim.run({str(TINY)!r}, replicates=1).border_encounters.sum() > 0
"""


def test_keyboard_interrupt_stops_a_run_cleanly():
    # In a fresh interpreter: a library imported by another test may have taken
    # SIGINT from Python (OpenTURNS installs its own handler on import).
    result = subprocess.run([sys.executable, "-c", INTERRUPTED_RUN], capture_output=True, text=True,
                            timeout=120, cwd=ROOT / "analysis")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("interrupted after "), result.stdout
    assert float(result.stdout.split()[2]) < 10


def test_import_without_the_compiled_module():
    """The analysis modules do not need migrasim._core; the simulator says how to build it."""
    code = """
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "migrasim._core":
            raise ImportError("no compiled module")
sys.meta_path.insert(0, Refuse())
import migrasim, migrasim.windows, migrasim.io, migrasim.errors
assert migrasim.ScenarioError is migrasim.errors.ScenarioError
try:
    migrasim.load
except ImportError as error:
    assert "./run.sh" in str(error), error
else:
    raise SystemExit("migrasim.load imported without the compiled module")
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT / "analysis")


def test_example_fits_two_parameters():
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "examples" / "fit_two_parameters.py")],
                            capture_output=True, text=True, check=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "analysis")})
    assert "recovered" in result.stdout, result.stdout


def test_window_dates():
    assert windows.window_dates({"year": 2022}) == ("2022-01-01", "2022-12-31")
    assert windows.window_dates({"fiscal_year": 2023}) == ("2022-10-01", "2023-09-30")
    assert windows.window_dates({"fiscal_year": 2023, "first_month": 7}) == ("2022-07-01", "2023-06-30")
    assert windows.window_dates({"fiscal_year": 2023, "first_month": 1}) == ("2023-01-01", "2023-12-31")
    assert windows.window_dates({"month": "2020-02"}) == ("2020-02-01", "2020-02-29")
    assert windows.window_dates({"start": "2022-01-05", "end": "2022-01-05"}) == ("2022-01-05", "2022-01-05")
    for bad in ({"year": 2022, "month": "2022-01"}, {"fiscal_year": 2023, "first_month": 13},
                {"start": "2022-02-01", "end": "2022-01-01"}, "2022"):
        with pytest.raises(ValueError):
            windows.window_dates(bad)
    # Half-day steps: both steps of the last day are in.
    times = np.datetime64("2022-01-01T00", "ns") + np.arange(8) * np.timedelta64(12, "h")
    assert windows.window_steps(times, {"start": "2022-01-02", "end": "2022-01-03"}) == slice(2, 6)
