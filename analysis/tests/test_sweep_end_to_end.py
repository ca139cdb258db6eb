"""End-to-end tests of `migrasim sweep` and analysis/sensitivity.py: small sweeps of
tests/data/tiny.yaml (2,000 agents, 60 days) run through the binary, the output file
opened with xarray without options and checked against the layout of docs/sweeps.md,
then analysed. Also checks that the sweep files shipped in scenarios/sweeps/ name
keys the baseline accepts. About 10 s on two cores."""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest
import xarray as xr
import yaml

from migrasim import sensitivity

ROOT = pathlib.Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"
SENSITIVITY = ROOT / "analysis" / "sensitivity.py"
PYTHON = "/usr/bin/python3"
ENV = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")

# tiny.yaml runs from 2022-03-01 to 2022-04-29 in daily steps.
GRID_SWEEP = f"""\
name: tiny_grid
scenario: {TINY}
design: grid
replicates: 2
seed: 11
parameters:
  - {{name: hardship_weight, key: decisions.hardship_weight, values: [2.0, 3.0, 4.0]}}
  - {{name: base_rate, key: decisions.base_rate_per_day, range: [1.0e-4, 4.0e-4],
      distribution: log_uniform, levels: 3, units: per day}}
outputs:
  - {{name: encounters_march, series: border_encounters, window: [2022-03-01, 2022-03-31], reduce: sum}}
  - {{name: encounters_april, series: border_encounters, window: [2022-04-01, 2022-04-29], reduce: sum}}
  - {{name: peak_backlog, series: asylum_backlog, reduce: max}}
  - {{name: encounters_daily, series: border_encounters, window: [2022-04-01, 2022-04-29]}}
"""

SOBOL_SWEEP = f"""\
name: tiny_sobol
scenario: {TINY}
design: sobol
samples: 8
replicates: 1
seed: 5
parameters:
  - {{name: base_rate, key: decisions.base_rate_per_day, range: [1.0e-4, 4.0e-4], distribution: log_uniform}}
  - {{name: hardship_weight, key: decisions.hardship_weight, range: [2.0, 4.0]}}
  - {{name: detection, key: checkpoints.border_patrol.detection_probability, range: [0.5, 0.95]}}
outputs:
  - {{name: encounters, series: border_encounters, reduce: sum}}
  - {{name: departures, series: departures, reduce: sum}}
"""


def run_sweep(binary, directory, text, name):
    spec = directory / f"{name}.yaml"
    spec.write_text(text, encoding="utf-8")
    out = directory / f"{name}.h5"
    done = subprocess.run([str(binary), "sweep", str(spec), "-o", str(out), "--quiet"],
                          env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.exists()
    assert not pathlib.Path(str(out) + ".partial").exists()
    return spec, out


def run_sensitivity(sweep_file, directory):
    report = directory / "indices.json"
    done = subprocess.run([PYTHON, str(SENSITIVITY), str(sweep_file), "--bootstrap", "100",
                           "--json", str(report)], env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def grid(tmp_path_factory, migrasim_binary):
    directory = tmp_path_factory.mktemp("grid")
    return directory, *run_sweep(migrasim_binary, directory, GRID_SWEEP, "tiny_grid")


@pytest.fixture(scope="module")
def sobol(tmp_path_factory, migrasim_binary):
    directory = tmp_path_factory.mktemp("sobol")
    return directory, *run_sweep(migrasim_binary, directory, SOBOL_SWEEP, "tiny_sobol")


def test_grid_file_layout(grid):
    _, spec, out = grid
    with xr.open_dataset(out) as ds:
        assert dict(ds.sizes) == {"member": 9, "replicate": 2, "time": 29}
        assert list(ds.member.values) == list(range(9))
        assert list(ds.replicate.values) == [0, 1]
        # The time axis is that of the outputs kept step by step: the window's days.
        assert np.issubdtype(ds.time.dtype, np.datetime64)
        expected = np.arange(np.datetime64("2022-04-01"), np.datetime64("2022-04-30"))
        np.testing.assert_array_equal(ds.time.values.astype("datetime64[D]"), expected)

        # One variable per parameter, on member, the last parameter varying fastest.
        np.testing.assert_array_equal(ds.hardship_weight.values, np.repeat([2.0, 3.0, 4.0], 3))
        np.testing.assert_allclose(ds.base_rate.values, np.tile([1e-4, 2e-4, 4e-4], 3), rtol=1e-12)
        assert ds.base_rate.dims == ("member",)
        assert ds.base_rate.attrs["key_path"] == "decisions.base_rate_per_day"
        assert ds.base_rate.attrs["distribution"] == "log_uniform"
        assert ds.base_rate.attrs["units"] == "per day"
        assert (ds.base_rate.attrs["lower"], ds.base_rate.attrs["upper"]) == (1e-4, 4e-4)
        assert ds.hardship_weight.attrs["distribution"] == "values"
        assert "lower" not in ds.hardship_weight.attrs

        # Outputs: reduced ones on (member, replicate), the kept series on time too.
        for name in ("encounters_march", "encounters_april", "peak_backlog"):
            assert ds[name].dims == ("member", "replicate")
        assert ds.encounters_daily.dims == ("member", "replicate", "time")
        april = ds.encounters_april
        assert april.attrs["units"] == "persons"          # a sum of persons per step
        assert april.attrs["cell_methods"] == "time: sum"
        assert april.attrs["series"] == "border_encounters"
        assert april.attrs["reduce"] == "sum"
        assert (april.attrs["window_start"], april.attrs["window_end"]) == ("2022-04-01", "2022-04-29")
        assert ds.peak_backlog.attrs["cell_methods"] == "time: max"
        assert ds.peak_backlog.attrs["units"] == "persons"
        assert ds.peak_backlog.attrs["window_end"] == ""  # no window: to the end of the run
        assert ds.encounters_daily.attrs["units"] == "persons per step"
        assert ds.encounters_daily.attrs["reduce"] == "none"

        # The window's sum is the sum of the same steps kept one by one.
        np.testing.assert_array_equal(april.values, ds.encounters_daily.sum("time").values)
        for name in ("encounters_march", "encounters_april", "peak_backlog"):
            assert np.isfinite(ds[name].values).all()
            assert (ds[name].values % 10 == 0).all()  # persons: multiples of persons_per_agent
        # More hardship and a higher base rate: more encounters, on average over the grid.
        by_weight = april.mean("replicate").values.reshape(3, 3)
        assert by_weight[2].mean() > by_weight[0].mean()
        assert by_weight[:, 2].mean() > by_weight[:, 0].mean()

        # Bookkeeping per member: all finished, seeds distinct and exact in a double.
        np.testing.assert_array_equal(ds.member_status.values, np.ones(9))
        seeds = ds.member_seed.values
        assert len(set(seeds)) == 9 and (seeds < 2 ** 53).all() and (seeds == np.floor(seeds)).all()

        attrs = ds.attrs
        assert attrs["Conventions"] == "CF-1.8"
        assert attrs["title"] == "migrasim sweep: tiny_grid"
        assert attrs["sweep_name"] == "tiny_grid"
        assert attrs["design"] == "grid"
        assert attrs["parameters"] == "hardship_weight base_rate"
        assert attrs["outputs"] == "encounters_march encounters_april peak_backlog encounters_daily"
        assert int(attrs["members"]) == 9 and int(attrs["replicates"]) == 2
        assert int(attrs["base_samples"]) == 0
        assert int(attrs["seed"]) == 11 and attrs["seeds"] == "per_member"
        assert attrs["sweep_yaml"] == spec.read_text(encoding="utf-8")
        assert attrs["sweep_file"] == str(spec)
        assert attrs["scenario_file"] == str(TINY)
        assert "name: tiny" in attrs["scenario_yaml"]
        assert attrs["scenario_overrides"] == ""
        assert attrs["migrasim_version"] in attrs["source"]
        assert " sweep " in attrs["command_line"]


def test_member_status_is_a_cf_flag_variable(grid):
    _, _, out = grid
    with xr.open_dataset(out) as ds:
        attrs = ds.member_status.attrs
    meanings = attrs["flag_meanings"].split()
    assert sensitivity.FINISHED in meanings
    assert "flag_values" in attrs, "member_status must carry CF flag_values beside flag_meanings"
    assert list(np.atleast_1d(attrs["flag_values"])) == list(range(len(meanings)))


def test_grid_sensitivity(grid):
    directory, _, out = grid
    text, report = run_sensitivity(out, directory)
    assert "design grid" in text
    assert report["design"] == "grid" and report["method"] == "morris"
    assert report["members"] == 9 and report["replicates"] == 2
    assert [p["name"] for p in report["parameters"]] == ["hardship_weight", "base_rate"]
    assert set(report["outputs"]) == {"encounters_march", "encounters_april", "peak_backlog", "encounters_daily"}
    april = report["outputs"]["encounters_april"]
    assert april["names"] == ["hardship_weight", "base_rate"]
    assert april["samples_used"] == 9 and april["samples_dropped"] == 0
    # Both parameters raise encounters: positive mean effects, mu* = |mu|, 6 effects each.
    assert all(mu > 0 for mu in april["mu"])
    np.testing.assert_allclose(april["mu_star"], april["mu"])
    assert april["n_effects"] == [6, 6]
    assert 0 <= april["replicate_noise_share"] < 1


def test_sobol_layout_and_sensitivity(sobol):
    directory, _, out = sobol
    n, k = 8, 3
    with xr.open_dataset(out) as ds:
        assert dict(ds.sizes) == {"member": n * (k + 2), "replicate": 1}
        assert "time" not in ds.dims
        assert ds.attrs["design"] == "sobol"
        assert int(ds.attrs["base_samples"]) == n and int(ds.attrs["members"]) == n * (k + 2)
        np.testing.assert_array_equal(ds.member_status.values, np.ones(n * (k + 2)))
        names = ds.attrs["parameters"].split()
        assert names == ["base_rate", "hardship_weight", "detection"]
        x = np.column_stack([ds[name].values for name in names])
        for name, (low, high) in zip(names, [(1e-4, 4e-4), (2.0, 4.0), (0.5, 0.95)]):
            assert ds[name].attrs["lower"] == low and ds[name].attrs["upper"] == high
            assert (x[:, names.index(name)] >= low).all() and (x[:, names.index(name)] <= high).all()

    # SALib's saltelli.sample(calc_second_order=False) order: per base sample j the
    # rows A_j, AB_j^1 .. AB_j^k, B_j, AB^i being A with column i from B - exactly.
    blocks = x.reshape(n, k + 2, k)
    a, b = blocks[:, 0], blocks[:, k + 1]
    # A and B are the two halves of one 2k-dimensional Sobol point. (The first point,
    # 0.5 in every coordinate, makes block 0 all alike; docs/sweeps.md.)
    assert (a[1:] != b[1:]).any(axis=1).all()
    for i in range(k):
        expected = a.copy()
        expected[:, i] = b[:, i]
        np.testing.assert_array_equal(blocks[:, i + 1], expected)
    # Base points of a Sobol sequence: no two alike.
    assert len(np.unique(a[:, 0])) == n and len(np.unique(b[:, 0])) == n

    text, report = run_sensitivity(out, directory)
    assert "design sobol" in text and f"{n} base samples" in text
    assert report["design"] == "sobol" and report["method"] == "sobol"
    for name in ("encounters", "departures"):
        result = report["outputs"][name]
        assert result["names"] == names
        assert result["samples_used"] == n and result["samples_dropped"] == 0
        for index in ("S1", "ST", "S1_conf", "ST_conf"):
            assert len(result[index]) == k
            assert all(v is not None and np.isfinite(v) for v in result[index])
        assert all(st >= 0 for st in result["ST"])
    # Detection changes who is counted at the border, not who sets out.
    departures = report["outputs"]["departures"]
    assert departures["ST"][2] < max(departures["ST"][:2])


@pytest.mark.parametrize("sweep_file", ["grid_small.yaml", "baseline_sobol.yaml"])
def test_shipped_sweeps_are_valid(migrasim_binary, sweep_file, tmp_path):
    """The sweep files in scenarios/sweeps/ pass every check `migrasim sweep` makes
    before the first member (it then stops at the missing output directory, exit 1,
    rather than at the sweep file, exit 2), and every fixed `set` value and each
    parameter at both ends of its range pass `migrasim validate` on the scenario."""
    path = ROOT / "scenarios" / "sweeps" / sweep_file
    done = subprocess.run([str(migrasim_binary), "sweep", str(path), "-o", str(tmp_path / "missing" / "x.h5")],
                          env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "output directory" in done.stderr, done.stderr
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenario = (path.parent / spec["scenario"]).resolve()
    fixed = [f"{key}={value}" for key, value in spec.get("set", {}).items()]
    assert spec["design"] in ("grid", "latin_hypercube", "sobol")
    for parameter in spec["parameters"]:
        ends = parameter.get("values") or parameter["range"]
        for value in (min(ends), max(ends)):
            overrides = fixed + [f"{parameter['key']}={value!r}"]
            args = [str(migrasim_binary), "validate", str(scenario)]
            for override in overrides:
                args += ["--set", override]
            done = subprocess.run(args, env=ENV, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
    assert {o["series"] for o in spec["outputs"]} >= {"border_encounters"}
