"""The posterior report: contraction, quantiles and the predictive check, on
synthetic posteriors and runs whose answers are known."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from migrasim import fit
from migrasim import posterior as pm

N = 4000


def synthetic_posterior(path, rng):
    """Three parameters: `sharp` (uniform prior on [0, 1], posterior N(0.5, 0.05)),
    `flat` (uniform prior, posterior = prior) and `rate` (log-uniform on
    [1e-3, 1e-1], posterior log-normal with log-sd 0.1), equal weights."""
    sharp = rng.normal(0.5, 0.05, N)
    flat = rng.uniform(0.0, 1.0, N)
    rate = np.exp(rng.normal(np.log(1e-2), 0.1, N))
    uniform = {"prior": "uniform [0, 1]", "prior_distribution": "uniform", "prior_lower": 0.0, "prior_upper": 1.0}
    log_uniform = {"prior": "log_uniform [0.001, 0.1]", "prior_distribution": "log_uniform",
                   "prior_lower": 1e-3, "prior_upper": 1e-1, "units": "per day"}
    dims = ("generation", "particle")
    data = {name: (dims, np.stack([rng.uniform(0, 1, N), values]), attrs)
            for name, values, attrs in (("sharp", sharp, uniform), ("flat", flat, uniform))}
    data["rate"] = (dims, np.stack([rng.uniform(1e-3, 1e-1, N), rate]), log_uniform)
    data["weight"] = (dims, np.full((2, N), 1.0 / N))
    data["tolerance"] = (("generation",), np.array([np.inf, 1.0]))
    data["simulations"] = (("generation",), np.array([N, 2 * N]))
    ds = xr.Dataset(data, coords={"generation": [0, 1], "particle": np.arange(N)},
                    attrs={"parameters": "sharp flat rate"})
    ds.to_netcdf(path, engine="h5netcdf")
    return sharp, flat, rate


def test_contraction_tells_identified_from_prior_only(tmp_path):
    path = tmp_path / "post.h5"
    synthetic_posterior(path, np.random.default_rng(1))
    with xr.open_dataset(path) as post:
        rows = {r.name: r for r in pm.marginals(post)}
    # Exact values: 1 - 0.05^2 * 12 = 0.97; 1 - 0.1^2 * 12 / ln(100)^2 = 0.9943. The
    # sample variance of N draws has a relative sd of sqrt(2 / N) = 2.2% for a
    # normal, so the contraction is within 4 sds of it.
    assert rows["sharp"].contraction == pytest.approx(0.97, abs=4 * 0.03 * 0.022)
    assert rows["rate"].contraction == pytest.approx(1 - 0.01 * 12 / np.log(100) ** 2, abs=4 * 0.0057 * 0.022)
    # A uniform's sample variance has relative sd sqrt(0.8 / N) = 1.4%.
    assert abs(rows["flat"].contraction) < 4 * 0.014
    assert rows["sharp"].verdict == "identified"
    assert rows["flat"].verdict.startswith("not identified")
    # Quantiles of N(0.5, 0.05): 5% at 0.5 - 1.645 * 0.05, within a few of their sampling sds.
    assert rows["sharp"].q05 == pytest.approx(0.5 - 1.645 * 0.05, abs=0.006)
    assert rows["sharp"].q50 == pytest.approx(0.5, abs=0.004)
    assert rows["rate"].q50 == pytest.approx(1e-2, rel=0.01)


def test_weighted_quantiles_follow_the_weights():
    assert pm.weighted_quantile([1, 2, 3, 4], [0, 0, 0, 1], 0.5) == 4
    assert pm.weighted_quantile([1, 2, 3, 4], [1, 1, 1, 1], 0.5) == pytest.approx(2.5)
    assert pm.weighted_quantile([4, 3, 2, 1], [1, 0, 0, 0], [0.05, 0.95]).tolist() == [4, 4]


def test_correlations_in_the_prior_scale(tmp_path):
    rng = np.random.default_rng(2)
    path = tmp_path / "post.h5"
    synthetic_posterior(path, rng)
    with xr.open_dataset(path) as post:
        post = post.load()
    last = post.isel(generation=-1)
    z = rng.normal(size=N)
    post["sharp"][-1] = 0.5 + 0.05 * z
    post["rate"][-1] = np.exp(np.log(1e-2) - 0.1 * z)  # perfectly anticorrelated in the log
    names, corr = pm.posterior_correlations(post)
    assert corr[names.index("sharp"), names.index("rate")] == pytest.approx(-1.0, abs=1e-9)
    assert abs(corr[names.index("sharp"), names.index("flat")]) < 4 / np.sqrt(N)
    assert "sharp ~ rate: r = -1.00" in pm.format_correlations(names, corr)
    assert last.sizes["particle"] == N


def synthetic_run(values_per_replicate):
    """A run whose yearly 2022 sum of border_encounters is the given value in each replicate."""
    time = pd.date_range("2022-01-01", "2022-12-31", freq="D")
    values = np.asarray(values_per_replicate, float)
    daily = np.repeat(values[:, None] / time.size, time.size, axis=1)
    flow = {"units": "persons per step", "cell_methods": "time: sum"}
    return xr.Dataset({"border_encounters": (("replicate", "time"), daily, flow)},
                      coords={"replicate": np.arange(values.size), "time": time})


def test_predictive_intervals_and_coverage(tmp_path):
    ds = synthetic_run(np.arange(1, 101) * 10.0)  # 10, 20, ..., 1000
    targets_path = tmp_path / "t.yaml"
    targets_path.write_text(
        "targets:\n"
        "  - {name: mid, series: border_encounters, window: {year: 2022}, observed: 500, error: {sd: 1}}\n"
        "  - {name: edge, series: border_encounters, window: {year: 2022}, observed: 900, error: {sd: 1}}\n"
        "  - {name: far, series: border_encounters, window: {year: 2022}, observed: 5000, error: {sd: 1}}\n"
        "  - {name: range, series: border_encounters, window: {year: 2022}, observed: {low: 1, high: 30},\n"
        "     error: {sd: 1}}\n")
    rows = pm.predictive_table(ds, fit.load_targets(targets_path))
    # numpy's linear quantiles of 10..1000: 5% = 59.5, 25% = 257.5, 75% = 752.5, 95% = 950.5.
    assert rows[0][3:8] == pytest.approx((59.5, 257.5, 505.0, 752.5, 950.5))
    assert [(r[8], r[9]) for r in rows] == [(True, True), (False, True), (False, False), (False, False)]
    text = pm.format_predictive(rows)
    assert "2 of 4 in the 90% interval" in text and "1 of 4 observed figures in the 50%" in text


def test_command_reports_and_refuses_a_run_file(tmp_path):
    path = tmp_path / "post.h5"
    synthetic_posterior(path, np.random.default_rng(3))
    out = subprocess.run([sys.executable, "-m", "migrasim.posterior", str(path)], capture_output=True, text=True,
                         cwd=fit.ROOT / "analysis")
    assert out.returncode == 0, out.stderr
    assert "effective sample size 4000" in out.stdout and "not identified" in out.stdout
    run = tmp_path / "run.h5"
    synthetic_run([1.0, 2.0]).to_netcdf(run, engine="h5netcdf")
    out = subprocess.run([sys.executable, "-m", "migrasim.posterior", str(run)], capture_output=True, text=True,
                         cwd=fit.ROOT / "analysis")
    assert out.returncode == 2 and "not a posterior file" in out.stderr


def test_the_frozen_baseline_posterior_still_runs(tmp_path, migrasim_binary):
    """The forecast's posterior must stay usable as the model changes: a short run
    of the reduced baseline over it draws particles of its final generation and
    runs each replicate with that particle's values."""
    root = fit.ROOT
    posterior = root / "scenarios" / "calibration" / "baseline_posterior.h5"
    out = tmp_path / "run.h5"
    subprocess.run([str(migrasim_binary), "run", str(root / "scenarios" / "baseline.yaml"), "--posterior",
                    str(posterior), "--set", "population.agents=10000", "--set", "population.persons_per_agent=200",
                    "--set", "communities.count=200", "--set", "time.end=2020-11-30", "--replicates", "3",
                    "-o", str(out), "--quiet"], check=True)
    with xr.open_dataset(posterior) as post, xr.open_dataset(out) as run:
        last = post.isel(generation=-1)
        names = [str(n) for n in run["parameter"].values]
        assert names == str(post.attrs["parameters"]).split()
        for r, particle in enumerate(run["particle"].values.astype(int)):
            assert float(last["weight"][particle]) > 0
            for name in names:
                assert float(run["parameter_value"].sel(parameter=name)[r]) == float(last[name][particle])
