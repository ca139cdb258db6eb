"""Tests of migrasim.sensitivity on synthetic sweep files written with h5py in the
layout of `migrasim sweep`: the Ishigami function against its analytic Sobol indices
and against OpenTURNS, exact elementary effects of a linear function on a grid, SRC of
a noisy linear function on a Latin hypercube, dropped blocks and input errors."""
import json
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, qmc

from migrasim import sensitivity

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "analysis" / "sensitivity.py"
PYTHON = "/usr/bin/python3" if pathlib.Path("/usr/bin/python3").exists() else sys.executable

# Ishigami function, inputs uniform on [-pi, pi].
A_ISHIGAMI, B_ISHIGAMI = 7.0, 0.1
ISHIGAMI_NAMES = ["x1", "x2", "x3"]
N_ISHIGAMI = 2 ** 13
CONFIDENCE = 0.95
Z = norm.ppf(0.5 + CONFIDENCE / 2)


def ishigami(x, a=A_ISHIGAMI, b=B_ISHIGAMI):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a=A_ISHIGAMI, b=B_ISHIGAMI):
    """Analytic (S1, ST) of the Ishigami function, from its partial variances."""
    pi = np.pi
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def saltelli_design(n, k, low, high, seed):
    """Member matrix in SALib's saltelli.sample(calc_second_order=False) order, and A, B.
    Rows of [A | B] are a scrambled Sobol sequence in 2k dimensions."""
    base = qmc.Sobol(2 * k, scramble=True, seed=seed).random(n)
    a = low + (high - low) * base[:, :k]
    b = low + (high - low) * base[:, k:]
    blocks = np.empty((n, k + 2, k))
    blocks[:, 0] = a
    for i in range(k):
        blocks[:, i + 1] = a
        blocks[:, i + 1, i] = b[:, i]
    blocks[:, k + 1] = b
    return blocks.reshape(n * (k + 2), k), a, b


def write_sweep(path, design, x, names, outputs, *, status=None, replicates=None, time_days=None,
                lower=None, upper=None, distributions=None, units=None, base_samples=None, root=None):
    """A sweep file laid out as `migrasim sweep` writes it: dims member, replicate and
    optionally time as HDF5 dimension scales; one (member,) variable per parameter;
    outputs (member, replicate) or (member, replicate, time); member_status and
    member_seed; the root attributes."""
    x = np.asarray(x, dtype=float)
    m, k = x.shape
    first = np.asarray(next(iter(outputs.values())))
    replicates = first.shape[1] if replicates is None else replicates
    status = np.ones(m) if status is None else np.asarray(status, dtype=float)
    with h5py.File(path, "w") as f:
        member = f.create_dataset("member", data=np.arange(m, dtype=np.int64))
        member.make_scale("member")
        replicate = f.create_dataset("replicate", data=np.arange(replicates, dtype=np.int64))
        replicate.make_scale("replicate")
        time = None
        if time_days is not None:
            time = f.create_dataset("time", data=np.asarray(time_days, dtype=float))
            time.make_scale("time")
            time.attrs.update({"units": "days since 2023-01-01", "calendar": "proleptic_gregorian",
                               "long_name": "start of the time step"})
        for p, name in enumerate(names):
            var = f.create_dataset(name, data=x[:, p])
            var.dims[0].attach_scale(member)
            distribution = distributions[p] if distributions else "uniform"
            var.attrs.update({"long_name": name.replace("_", " "), "units": units[p] if units else "1",
                              "key_path": f"test.{name}", "distribution": distribution})
            if distribution != "values":
                var.attrs["lower"] = float(lower[p] if lower is not None else x[:, p].min())
                var.attrs["upper"] = float(upper[p] if upper is not None else x[:, p].max())
        for name, values in outputs.items():
            values = np.asarray(values, dtype=float)
            var = f.create_dataset(name, data=values)
            var.dims[0].attach_scale(member)
            var.dims[1].attach_scale(replicate)
            attrs = {"long_name": name.replace("_", " "), "units": "persons", "series": name}
            if values.ndim == 3:
                var.dims[2].attach_scale(time)
                attrs["reduce"] = "none"
            else:
                attrs.update(reduce="sum", window_start="2023-01-01", window_end="2023-12-31")
            var.attrs.update(attrs)
        st = f.create_dataset("member_status", data=status)
        st.dims[0].attach_scale(member)
        st.attrs.update({"long_name": "member status", "flag_values": np.array([0.0, 1.0, 2.0]),
                         "flag_meanings": "not_run finished failed"})
        seed = f.create_dataset("member_seed", data=np.arange(m, dtype=float) + 1000)
        seed.dims[0].attach_scale(member)
        attrs = {"design": design, "parameters": " ".join(names), "outputs": " ".join(outputs),
                 "base_samples": np.int64(base_samples if base_samples is not None else m),
                 "replicates": np.int64(replicates), "sweep_yaml": "synthetic: true\n", "seed": "7"}
        attrs.update(root or {})
        f.attrs.update(attrs)
    return pathlib.Path(path)


def run_script(*args):
    return subprocess.run([PYTHON, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def ishigami_design():
    k = len(ISHIGAMI_NAMES)
    x, a, b = saltelli_design(N_ISHIGAMI, k, -np.pi, np.pi, seed=20240611)
    return x, ishigami(x)


@pytest.fixture(scope="module")
def ishigami_json(ishigami_design, tmp_path_factory):
    """sensitivity.py --json on the Ishigami sweep (2 replicates whose mean is f(x))."""
    x, y = ishigami_design
    directory = tmp_path_factory.mktemp("ishigami")
    shift = np.where(np.arange(y.size) % 2 == 0, 0.25, -0.25)
    path = write_sweep(directory / "ishigami.h5", "sobol", x, ISHIGAMI_NAMES,
                       {"ishigami": np.column_stack([y + shift, y - shift])},
                       lower=[-np.pi] * 3, upper=[np.pi] * 3, base_samples=N_ISHIGAMI)
    out = directory / "indices.json"
    done = run_script(path, "--json", out, "--bootstrap", 1000, "--confidence", CONFIDENCE, "--seed", 1)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())["outputs"]["ishigami"], done.stdout


def tolerance(conf):
    """Four bootstrap standard errors, at least 0.005."""
    return np.maximum(4 * np.asarray(conf, dtype=float) / Z, 0.005)


def test_ishigami_indices_match_the_analytic_values(ishigami_json):
    result, stdout = ishigami_json
    s1, st = ishigami_indices()
    assert result["names"] == ISHIGAMI_NAMES
    assert result["samples_used"] == N_ISHIGAMI and result["samples_dropped"] == 0
    for index, exact in (("S1", s1), ("ST", st)):
        estimate, conf = np.array(result[index]), np.array(result[index + "_conf"])
        assert np.all(conf > 0) and np.all(conf < 0.05), (index, conf)
        np.testing.assert_array_less(np.abs(estimate - exact), tolerance(conf), err_msg=index)
        low, high = np.array(result[index + "_low"]), np.array(result[index + "_high"])
        assert np.all(low <= estimate) and np.all(estimate <= high)
    assert "Saltelli et al. 2010" in stdout and "Jansen 1999" in stdout and "x3" in stdout


def test_sobol_estimators_agree_with_openturns(ishigami_design):
    ot = pytest.importorskip("openturns")
    ot.Log.Show(ot.Log.NONE)
    x, y = ishigami_design
    k, n = len(ISHIGAMI_NAMES), N_ISHIGAMI
    blocks_x, blocks_y = x.reshape(n, k + 2, k), y.reshape(n, k + 2)
    ours = sensitivity.sobol_indices(blocks_y[:, 0], blocks_y[:, k + 1], blocks_y[:, 1:k + 1],
                                     bootstrap=300, seed=3)
    # OpenTURNS' design (SobolIndicesExperiment): the A block, the B block, then for each
    # input i the block E_i = A with column i taken from B: that is SALib's AB_i.
    order = [0, k + 1] + list(range(1, k + 1))
    x_ot = np.concatenate([blocks_x[:, c, :] for c in order])
    y_ot = np.concatenate([blocks_y[:, c] for c in order])
    saltelli = ot.SaltelliSensitivityAlgorithm(ot.Sample(x_ot), ot.Sample(y_ot[:, None]), n)
    jansen = ot.JansenSensitivityAlgorithm(ot.Sample(x_ot), ot.Sample(y_ot[:, None]), n)
    # The Jansen total-order numerator is the same sum in both; OpenTURNS divides it by
    # (2N - 1) and the unbiased variance of y_A, we by 2N and the variance (ddof 0) of
    # y_A and y_B together: after that rescaling the two agree to rounding.
    f_a, f_b = blocks_y[:, 0], blocks_y[:, k + 1]
    rescale = (2 * n - 1) * f_a.var(ddof=1) / (2 * n * np.concatenate([f_a, f_b]).var())
    np.testing.assert_allclose(np.array(jansen.getTotalOrderIndices()) * rescale, ours["ST"], rtol=1e-10)
    # First order: OpenTURNS' Saltelli (2002) and Jansen estimators are different
    # formulas from Saltelli (2010), so they agree within sampling error only.
    allowed = tolerance(ours["S1_conf"])
    for name, other in (("Saltelli", saltelli), ("Jansen", jansen)):
        np.testing.assert_array_less(np.abs(np.array(other.getFirstOrderIndices()) - ours["S1"]), allowed,
                                     err_msg=name)
    np.testing.assert_array_less(np.abs(np.array(saltelli.getTotalOrderIndices()) - ours["ST"]),
                                 tolerance(ours["ST_conf"]))


def test_sobol_bootstrap_keeps_blocks_together_and_reports_salib_conf():
    rng = np.random.default_rng(0)
    f_a, f_b, f_ab = rng.normal(size=50), rng.normal(size=50), rng.normal(size=(50, 2))
    r = sensitivity.sobol_indices(f_a, f_b, f_ab, bootstrap=200, confidence=0.9, seed=4)
    # Recompute the bootstrap the documented way: resample base samples j, whole blocks.
    y = np.concatenate([f_a, f_b, f_ab.ravel()])
    a, b, ab = [(v - y.mean()) / y.std() for v in (f_a, f_b, f_ab)]
    idx = np.random.default_rng(4).integers(0, 50, size=(200, 50))
    var = np.var(np.concatenate([a[idx], b[idx]], axis=1), axis=1)[:, None]
    s1 = np.mean(b[idx][..., None] * (ab[idx] - a[idx][..., None]), axis=1) / var
    np.testing.assert_allclose(r["S1_conf"], norm.ppf(0.95) * s1.std(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(r["S1_low"], np.percentile(s1, 5, axis=0), rtol=1e-12)
    np.testing.assert_allclose(r["S1_high"], np.percentile(s1, 95, axis=0), rtol=1e-12)


def test_a_failed_member_drops_exactly_its_block(tmp_path, capsys):
    k, n = 3, 256
    x, _, _ = saltelli_design(n, k, -np.pi, np.pi, seed=11)
    y = ishigami(x)
    status = np.ones(x.shape[0])
    failed = 17 * (k + 2) + 2          # an AB member of base sample 17
    status[failed] = 2
    nan_member = 40 * (k + 2) + 4      # run, but its output is NaN: base sample 40
    values = y.copy()
    values[[failed, nan_member]] = np.nan
    path = write_sweep(tmp_path / "failed.h5", "sobol", x, ISHIGAMI_NAMES, {"ishigami": values[:, None]},
                       status=status, base_samples=n)
    out = tmp_path / "failed.json"
    assert sensitivity.main([str(path), "--json", str(out), "--bootstrap", "100"]) == 0
    result = json.loads(out.read_text())["outputs"]["ishigami"]
    assert result["samples_used"] == n - 2 and result["samples_dropped"] == 2
    assert result["dropped"] == {"failed": 1, "NaN output": 1}
    assert all(np.isfinite(result[i]).all() for i in ("S1", "ST", "S1_conf", "ST_conf"))
    keep = np.ones(n, dtype=bool)
    keep[[17, 40]] = False
    blocks = y.reshape(n, k + 2)[keep]
    expected = sensitivity.sobol_indices(blocks[:, 0], blocks[:, k + 1], blocks[:, 1:k + 1], bootstrap=0)
    np.testing.assert_allclose(result["S1"], expected["S1"], rtol=1e-12)
    np.testing.assert_allclose(result["ST"], expected["ST"], rtol=1e-12)
    assert "2 block(s) dropped (1 failed, 1 NaN output)" in capsys.readouterr().out


def grid_members(levels):
    """Cartesian product of the levels, last parameter fastest (meshgrid 'ij', C order)."""
    mesh = np.meshgrid(*levels, indexing="ij")
    return np.column_stack([m.ravel() for m in mesh])


def test_elementary_effects_of_a_linear_function_are_exact(tmp_path):
    x1 = np.array([0.0, 0.5, 2.0, 3.0])        # uneven steps, range 3
    x2 = np.array([10.0, 20.0, 40.0])
    x = grid_members([x1, x2])
    y = 2 * x[:, 0] + 0 * x[:, 1]
    r = sensitivity.elementary_effects(x, y, bootstrap=50)
    np.testing.assert_allclose(r["mu_star"], [2 * 3.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r["mu"], [6.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r["sigma"], [0.0, 0.0], atol=1e-12)
    np.testing.assert_array_equal(r["n_effects"], [3 * 3, 4 * 2])
    # Member order does not matter: members are placed on the grid by their values.
    shuffled = np.random.default_rng(1).permutation(x.shape[0])
    np.testing.assert_allclose(sensitivity.elementary_effects(x[shuffled], y[shuffled], bootstrap=0)["mu_star"],
                               r["mu_star"], atol=1e-12)
    # A log-uniform parameter steps on the log10 scale: log10(x) over 1, 10, 100 has EE 2.
    xl = grid_members([np.array([1.0, 10.0, 100.0]), np.array([0.0, 1.0])])
    rl = sensitivity.elementary_effects(xl, np.log10(xl[:, 0]), log_scale=[True, False], bootstrap=0)
    np.testing.assert_allclose(rl["mu_star"], [2.0, 0.0], atol=1e-12)
    # Through the script, with x1 in days (which xarray would otherwise decode as timedeltas).
    path = write_sweep(tmp_path / "grid.h5", "grid", x, ["x1", "x2"], {"y": np.column_stack([y, y])},
                       units=["days", "1"])
    out = tmp_path / "grid.json"
    assert sensitivity.main([str(path), "--json", str(out), "--bootstrap", "50"]) == 0
    result = json.loads(out.read_text())["outputs"]["y"]
    assert result["method"] == "morris"
    np.testing.assert_allclose(result["mu_star"], [6.0, 0.0], atol=1e-12)
    assert {"mu", "mu_star", "sigma", "mu_star_conf"} <= set(result)


def test_grid_rejects_an_incomplete_grid(tmp_path, capsys):
    x = grid_members([np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0])])[:-1]
    path = write_sweep(tmp_path / "partial.h5", "grid", x, ["x1", "x2"], {"y": x[:, :1]})
    assert sensitivity.main([str(path)]) == 2
    assert "complete grid" in capsys.readouterr().err


def test_src_on_a_latin_hypercube(tmp_path):
    n, noise = 400, 0.1
    x = qmc.LatinHypercube(d=2, seed=5).random(n)
    y = x[:, 0] + noise * np.random.default_rng(6).normal(size=n)
    status = np.ones(n)
    status[3] = 2
    values = y.copy()
    values[3] = np.nan
    path = write_sweep(tmp_path / "lhs.h5", "latin_hypercube", x, ["x1", "x2"], {"y": values[:, None]},
                       status=status, lower=[0, 0], upper=[1, 1])
    out = tmp_path / "lhs.json"
    assert sensitivity.main([str(path), "--json", str(out), "--bootstrap", "300"]) == 0
    result = json.loads(out.read_text())["outputs"]["y"]
    assert result["method"] == "regression" and result["samples_used"] == n - 1
    # y = x1 + e: SRC_1 = sd(x1) / sd(y), SRC_2 = 0, R^2 = var(x1) / var(y).
    var_x = 1 / 12
    expected = np.array([np.sqrt(var_x / (var_x + noise ** 2)), 0.0])
    src, conf = np.array(result["SRC"]), np.array(result["SRC_conf"])
    np.testing.assert_array_less(np.abs(src - expected), np.maximum(4 * conf / Z, 0.01))
    assert abs(result["R2"] - var_x / (var_x + noise ** 2)) < max(4 * result["R2_conf"] / Z, 0.01)
    assert result["PRCC"][0] > 0.9 and abs(result["PRCC"][1]) < max(4 * result["PRCC_conf"][1] / Z, 0.02)


def test_outputs_with_a_time_axis_are_reduced_per_replicate(tmp_path):
    x = qmc.LatinHypercube(d=1, seed=2).random(6)
    data = np.arange(6 * 2 * 4, dtype=float).reshape(6, 2, 4)
    path = write_sweep(tmp_path / "time.h5", "latin_hypercube", x, ["x1"], {"series": data},
                       time_days=np.arange(4.0))
    for how, expected in (("sum", data.sum(axis=2)), ("mean", data.mean(axis=2)), ("last", data[:, :, -1])):
        sweep = sensitivity.load_sweep(path, time_reduce=how)
        np.testing.assert_allclose(sweep.outputs["series"].values, expected.mean(axis=1))
        assert "2023-01-01 .. 2023-01-04" in sweep.outputs["series"].reduction


def test_csv_plot_and_salib_export(tmp_path, capsys):
    k, n = 2, 64
    x, _, _ = saltelli_design(n, k, 0.0, 1.0, seed=3)
    y = x[:, 0] + 0.5 * x[:, 1] ** 2
    status = np.ones(x.shape[0])
    status[5] = 0                                   # not run: base sample 1 is left out
    values = np.where(status == 1, y, np.nan)
    path = write_sweep(tmp_path / "s.h5", "sobol", x, ["alpha", "beta"],
                       {"first": values[:, None], "second": 2 * values[:, None]}, status=status, base_samples=n,
                       lower=[0.0, 0.0], upper=[1.0, 1.0])
    args = [str(path), "--output", "second", "--bootstrap", "50", "--csv", str(tmp_path / "t.csv"),
            "--plot", str(tmp_path / "plots"), "--salib", str(tmp_path / "salib")]
    assert sensitivity.main(args) == 0
    table = pd.read_csv(tmp_path / "t.csv")
    assert list(table.columns) == ["output", "parameter", "method", "index", "value", "conf", "low", "high"]
    assert set(table["output"]) == {"second"} and set(table["index"]) == {"S1", "ST"} and len(table) == 4
    assert (tmp_path / "plots" / "second.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    problem = json.loads((tmp_path / "salib" / "problem.json").read_text())
    assert problem == {"num_vars": 2, "names": ["alpha", "beta"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    xs, ys = np.loadtxt(tmp_path / "salib" / "X.txt"), np.loadtxt(tmp_path / "salib" / "Y_second.txt")
    assert xs.shape == ((n - 1) * (k + 2), k) and ys.shape == ((n - 1) * (k + 2),)
    # The exported Y, read in SALib's order, gives the script's indices.
    blocks = ys.reshape(n - 1, k + 2)
    salib_order = sensitivity.sobol_indices(blocks[:, 0], blocks[:, k + 1], blocks[:, 1:k + 1], bootstrap=0)
    s1 = table[table["index"] == "S1"]["value"].to_numpy()
    np.testing.assert_allclose(s1, salib_order["S1"], rtol=1e-9)
    assert "1 block(s) dropped (1 not run)" in capsys.readouterr().out


def test_errors_exit_2_with_the_file_and_the_problem(tmp_path):
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f.create_dataset("values", data=np.arange(3.0))
    done = run_script(plain)
    assert done.returncode == 2
    assert str(plain) in done.stderr and "not a migrasim sweep file" in done.stderr and "design" in done.stderr


@pytest.mark.parametrize("case, expected", [
    ("missing", "no such file"),
    ("output", "no output named 'nothing'"),
    ("too_few", "too few valid samples"),
    ("layout", "Saltelli order"),
    ("sobol_on_lhs", "need a sobol (Saltelli) design"),
])
def test_input_errors(tmp_path, capsys, case, expected):
    k, n = 2, 4
    x, _, _ = saltelli_design(n, k, 0.0, 1.0, seed=9)
    y = x.sum(axis=1)[:, None]
    status = np.ones(x.shape[0])
    args = []
    if case == "too_few":
        status[(k + 2):] = 2
        y = np.where(status[:, None] == 1, y, np.nan)
    if case == "layout":
        x = np.roll(x, 1, axis=0)
    design = "latin_hypercube" if case == "sobol_on_lhs" else "sobol"
    path = write_sweep(tmp_path / "s.h5", design, x, ["a", "b"], {"y": y}, status=status, base_samples=n)
    if case == "missing":
        path = tmp_path / "absent.h5"
    if case == "output":
        args = ["--output", "nothing"]
    if case == "sobol_on_lhs":
        args = ["--method", "sobol"]
    assert sensitivity.main([str(path), *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.startswith("sensitivity.py: error:")
