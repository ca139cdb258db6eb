"""Comparisons over a posterior, on synthetic run files whose answers are
known: the variance split (law of total variance by particle), P(effect < 0),
the stability of the ranking of policies and the plain statements for a
planner. Also the writer of such files, which test_compare_costs.py uses."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
import yaml

from migrasim import compare
from migrasim.compare import posterior

ROOT = pathlib.Path(__file__).resolve().parents[2]
DAYS = 20
# Four particles, three replicates each.
PARTICLE = np.repeat([0, 1, 2, 3], 3)
# Policy A's change of deaths: a particle effect plus chance (-1, 0, +1 within each particle).
A_DEATHS = np.repeat([-10.0, -6.0, -2.0, 2.0], 3) + np.tile([-1.0, 0.0, 1.0], 4)


def write_run(path, name, totals, *, particle=PARTICLE, interventions=(), seed=1):
    """A run file whose window totals per replicate are `totals[metric]` (all on
    the first day); interventions: (name, cost_usd_per_day, first day, last day)."""
    n = len(PARTICLE if particle is None else particle)
    flow = {"units": "persons per step", "cell_methods": "time: sum"}
    variables = {}
    for metric, total in totals.items():
        values = np.zeros((n, DAYS))
        values[:, 0] = np.broadcast_to(np.asarray(total, dtype=float), (n,))
        units = dict(flow, units="USD per step") if metric.endswith("_usd") else flow
        variables[metric] = (("replicate", "time"), values, dict(units, long_name=metric))
    coords = {"replicate": ("replicate", np.arange(n, dtype=float)),
              "time": ("time", np.arange(DAYS, dtype=float),
                       {"units": "days since 2024-01-01", "calendar": "proleptic_gregorian", "step_days": 1.0})}
    scenario = {"name": name}
    if interventions:
        coords["intervention"] = ("intervention", np.array([i[0] for i in interventions], dtype=object))
        activity = np.zeros((n, DAYS, len(interventions)))
        for k, (_, _, first, last) in enumerate(interventions):
            activity[:, first:last + 1, k] = 1.0
        variables["intervention_activity"] = (("replicate", "time", "intervention"), activity,
                                              {"units": "1", "long_name": "activity"})
        scenario["interventions"] = [{"type": "outreach_campaign", "name": i[0], "cost_usd_per_day": i[1]}
                                     for i in interventions]
    if particle is not None:
        variables["particle"] = (("replicate",), np.asarray(particle, dtype=float), {"long_name": "particle"})
    attrs = {"scenario_name": name, "seed": np.uint64(seed), "replicates": np.int64(n), "step_days": 1.0,
             "scenario_yaml": yaml.safe_dump(scenario), "agents": np.int64(100), "persons_per_agent": 1.0}
    xr.Dataset(variables, coords=coords, attrs=attrs).to_netcdf(path, engine="h5netcdf")
    return str(path)


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("runs")
    base = write_run(tmp_path / "base.h5", "baseline",
                     {"deaths": 100, "border_encounters": 500, "smuggled_departures": 300, "removed": 100,
                      "asylum_claims": 50, "intervention_cost_usd": 0})
    a = write_run(tmp_path / "a.h5", "policy_a",
                  {"deaths": 100 + A_DEATHS, "border_encounters": 450, "smuggled_departures": 290, "removed": 90,
                   "asylum_claims": 50, "intervention_cost_usd": 1000},
                  interventions=[("alpha", 100, 0, 9)])
    b = write_run(tmp_path / "b.h5", "policy_b",
                  {"deaths": 96, "border_encounters": 480, "smuggled_departures": 295, "removed": 100,
                   "asylum_claims": 50, "intervention_cost_usd": 1000},
                  interventions=[("beta", 50, 0, DAYS - 1)])
    return base, a, b


def test_variance_split_is_the_one_way_anova_estimate():
    s = posterior.variance_split(A_DEATHS, PARTICLE)
    # Within: each particle's replicates deviate by -1, 0, +1: 8 / (12 - 4) = 1.
    assert s.within == pytest.approx(1.0, abs=1e-12)
    # Between: MSB = 3 * (36 + 4 + 4 + 36) / 3 = 80, n0 = 3: (80 - 1) / 3.
    assert s.between == pytest.approx(79.0 / 3.0, abs=1e-12)
    assert s.parameter_share == pytest.approx(79.0 / 82.0, abs=1e-12)
    assert (s.particles, s.replicates) == (4, 12)
    assert s.total == pytest.approx(np.var(A_DEATHS, ddof=1))


def test_variance_split_needs_repeated_particles_and_more_than_one():
    s = posterior.variance_split([1.0, 2.0, 3.0], [0, 1, 2])
    assert np.isnan(s.within) and np.isnan(s.between) and "no particle ran more than one" in s.why_not
    s = posterior.variance_split([1.0, 2.0, 3.0], [5, 5, 5])
    assert np.isnan(s.between) and "one particle" in s.why_not


def test_variance_split_recovers_known_components_within_sampling_error():
    # sd 2 between particles, 1 within; 400 particles x 5 replicates. Standard
    # errors: within about 1 * sqrt(2 / 1600) = 0.035; between about
    # (4 + 1/5) * sqrt(2 / 399) = 0.30. Tolerances are four of them.
    rng = np.random.default_rng(7)
    particle = np.repeat(np.arange(400), 5)
    values = rng.normal(0, 2, 400)[particle] + rng.normal(0, 1, particle.size)
    s = posterior.variance_split(values, particle)
    assert s.within == pytest.approx(1.0, abs=0.14)
    assert s.between == pytest.approx(4.0, abs=1.2)


def test_share_below_zero_and_its_cluster_standard_error():
    p, se = posterior.share_below_zero(A_DEATHS, PARTICLE)
    assert p == 0.75
    # Per particle 3, 3, 3, 0 below zero of 3: (3 - 2.25)^2 * 3 + 2.25^2 = 6.75; sqrt(4/3 * 6.75) / 12.
    assert se == pytest.approx(np.sqrt(4 / 3 * 6.75) / 12)
    assert posterior.particle_share_below_zero(A_DEATHS, PARTICLE) == 0.75
    # A particle whose mean is below zero though one replicate is not.
    assert posterior.particle_share_below_zero([-3.0, 1.0, 2.0, 2.0], [0, 0, 1, 1]) == 0.5


def test_ranking_counts_each_order_draw_by_draw():
    labels = ["x", "y", "z"]
    benefit = np.array([[3, 3, 1, 3], [2, 1, 2, 2], [1, 2, 3, 1]], dtype=float)
    r = posterior.ranking(labels, benefit, np.array([0, 0, 1, 1]), "deaths averted", "deaths")
    assert r.orders[0] == ((("x",), ("y",), ("z",)), 0.5)
    assert dict(r.orders) == {(("x",), ("y",), ("z",)): 0.5, (("x",), ("z",), ("y",)): 0.25,
                              (("z",), ("y",), ("x",)): 0.25}
    assert r.best == {"x": 0.75, "y": 0.0, "z": 0.25}
    assert r.pairwise[("x", "y")] == 0.75 and r.pairwise[("y", "x")] == 0.25
    # Particle means: particle 0 (3, 1.5, 1.5) ties y and z; particle 1 (2, 2, 2) ties all three.
    assert r.particle_orders == [((("x",), ("y", "z")), 0.5), ((("x", "y", "z"),), 0.5)]
    assert posterior.order_text(r.particle_orders[0][0]) == "x > y = z"
    # A draw where all tie is one tier, and each counts as first.
    tied = posterior.ranking(["x", "y"], np.array([[1.0, 2.0], [1.0, 0.0]]), np.array([0, 1]), "m", "m")
    assert tied.orders == [((("x",), ("y",)), 0.5), ((("x", "y"),), 0.5)]
    assert tied.best == {"x": 1.0, "y": 0.5} and tied.pairwise[("x", "y")] == 0.75


def test_comparison_over_a_posterior_reports_split_sign_and_ranking(three_runs):
    c = compare.compare(list(three_runs))
    pe = c.posterior
    assert pe is not None and not pe.notes
    s = pe.splits[("policy_a", "deaths")]
    assert s.between == pytest.approx(79.0 / 3.0) and s.within == pytest.approx(1.0)
    assert pe.below_zero[("policy_a", "deaths")][0] == 0.75
    assert pe.below_zero[("policy_b", "deaths")][0] == 1.0
    by_deaths = next(r for r in pe.rankings if r.measure == "deaths averted")
    # A averts 11 .. -3 deaths, B 4 in every draw: A ahead in 6 of 12 draws.
    assert dict(by_deaths.orders) == {(("policy_a",), ("policy_b",)): 0.5, (("policy_b",), ("policy_a",)): 0.5}
    assert by_deaths.pairwise[("policy_a", "policy_b")] == 0.5
    by_encounters = next(r for r in pe.rankings if r.measure == "border encounters averted")
    assert by_encounters.orders == [((("policy_a",), ("policy_b",)), 1.0)]
    text = "\n".join(pe.statements)
    assert "Ranking by deaths averted: the data cannot decide" in text
    assert "policy_a vs policy_b on deaths averted: policy_a is ahead in 50% of draws" in text
    assert ("policy_a vs baseline, deaths: cannot say whether it falls or rises: it falls in 75% of posterior "
            "draws, rises in 25%.") in text
    assert "policy_a, deaths: 96% of the effect's variance comes from the calibrated parameters" in text
    assert "border encounters averted: the data cannot decide" not in text
    report = compare.report_text(c)
    assert "Over the posterior" in report and "For a planner: where the data cannot decide" in report
    tidy = compare.tidy(c)
    row = tidy[(tidy.scenario == "policy_a") & (tidy.metric == "deaths") & (tidy.statistic == "p_below_zero")]
    assert float(row.value.iloc[0]) == 0.75
    # A stricter threshold: a 75/25 sign is then decided.
    c2 = compare.compare(list(three_runs), flip_share=0.3)
    assert not any("cannot say whether" in t for t in c2.posterior.statements)


def test_pairs_that_ran_different_particles_are_left_out(tmp_path, three_runs):
    other = write_run(tmp_path / "c.h5", "shuffled", {"deaths": 90, "border_encounters": 500},
                      particle=PARTICLE[::-1])
    c = compare.compare([three_runs[0], other])
    assert c.posterior.splits == {}
    assert "ran different particles from the baseline" in c.posterior.notes[0]
    plain = write_run(tmp_path / "p.h5", "plain", {"deaths": 90, "border_encounters": 500}, particle=None)
    base = write_run(tmp_path / "pb.h5", "plainbase", {"deaths": 90, "border_encounters": 500}, particle=None)
    assert compare.compare([base, plain]).posterior is None


def test_flip_share_outside_its_range_is_a_usage_error(three_runs):
    done = subprocess.run([sys.executable, str(ROOT / "analysis" / "compare.py"), *three_runs,
                           "--flip-share", "0.7"], capture_output=True, text=True)
    assert done.returncode == 2 and "between 0 and 0.5" in done.stderr
    with pytest.raises(ValueError):
        compare.compare(list(three_runs), flip_share=0.5)


TINY_CALIBRATION = """\
name: tiny_cal
scenario: {scenario}
seed: 2
population: 30
stop: {{max_generations: 2, max_simulations: 5000, final_tolerance: 0.5, min_acceptance_rate: 0.02}}
parameters:
  - {{name: base_rate, key: decisions.base_rate_per_day, prior: log_uniform, range: [5.0e-5, 8.0e-4]}}
targets:
  - {{name: encounters, series: border_encounters, window: {{from: 2022-04-01, to: 2022-04-29}},
     observed: 1640, error: {{relative_sd: 0.1}}}}
"""


def test_runs_of_the_executable_over_a_posterior_pair_their_particles(tmp_path, migrasim_binary):
    tiny = ROOT / "tests" / "data" / "tiny.yaml"
    (tmp_path / "c.yaml").write_text(TINY_CALIBRATION.format(scenario=tiny))
    run = lambda *args: subprocess.run([str(migrasim_binary), *map(str, args)], check=True, cwd=tmp_path,
                                       capture_output=True)
    run("calibrate", "c.yaml", "-o", "p.h5", "--threads", "1", "--quiet")
    for name, extra in (("base", []), ("slow", ["--set", "asylum.capacity_per_day=5"])):
        run("run", tiny, "--posterior", "p.h5", "--replicates", 16, "--seed", 4, "--threads", 1, "--quiet",
            "-o", f"{name}.h5", *extra)
    c = compare.compare([tmp_path / "base.h5", tmp_path / "slow.h5"])
    assert not c.posterior.notes
    particle = c.runs[0].particle
    assert np.array_equal(particle, c.runs[1].particle)
    s = c.posterior.splits[(c.runs[1].label, "border_encounters")]
    assert (s.particles, s.replicates) == (np.unique(particle).size, 16)
    assert "Over the posterior" in compare.report_text(c)
