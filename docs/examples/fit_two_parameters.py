#!/usr/bin/python3
"""Fit two parameters of a scenario to targets with scipy.optimize, in process.

The targets are synthetic: the summaries of the small test corridor
(tests/data/tiny.yaml) run at known values of the decision model's hardship
weight and the border checkpoint's detection probability. The fit starts
elsewhere and should find those values again. Run from the repository root:

    PYTHONPATH=analysis /usr/bin/python3 docs/examples/fit_two_parameters.py

With real observations, replace `targets` by the observed figures and the
scenario by your own (docs/python.md).
"""
import pathlib

import numpy as np
from scipy import optimize

import migrasim

ROOT = pathlib.Path(__file__).resolve().parents[2]

scenario = migrasim.load(ROOT / "tests" / "data" / "tiny.yaml")
parameters = ["decisions.hardship_weight", "checkpoints.border_patrol.detection_probability"]
summaries = [
    {"series": "departures", "window": {"month": "2022-03"}},
    {"series": "departures", "window": {"month": "2022-04"}},
    {"series": "apprehensions", "window": {"start": "2022-03-01", "end": "2022-04-29"}},
    {"series": "evaded", "window": {"start": "2022-03-01", "end": "2022-04-29"}},
]
# Two replicates per call; one seed for every call (common random numbers), so
# the objective is a deterministic function of the parameters.
# Four replicates per call: with two, the sampling noise of 2,000 agents can
# leave Nelder-Mead stuck short of the truth, depending on the random draws.
simulate = migrasim.simulator(scenario, parameters, summaries, replicates=4, seed=2022)

truth = np.array([3.0, 0.9])
targets = simulate(truth)


def loss(x):
    """Squared relative errors, with a floor on each target's scale."""
    return float(np.sum(((simulate(x) - targets) / np.maximum(targets, 10.0)) ** 2))


bounds = [(1.0, 5.0), (0.5, 0.99)]
start = np.array([2.0, 0.7])
calls = 0


def counted(x):
    global calls
    calls += 1
    return loss(np.clip(x, [b[0] for b in bounds], [b[1] for b in bounds]))


fit = optimize.minimize(counted, start, method="Nelder-Mead",
                        options={"xatol": 1e-3, "fatol": 1e-6, "maxfev": 300,
                                 "initial_simplex": [start, start + [0.5, 0], start + [0, 0.1]]})
found = np.clip(fit.x, [b[0] for b in bounds], [b[1] for b in bounds])
for name, start_value, value, true in zip(parameters, start, found, truth):
    print(f"{name}: start {start_value:.3f}, fitted {value:.3f}, true {true:.3f}")
print(f"loss {fit.fun:.2e} after {calls} calls of the simulator")
if np.all(np.abs(found - truth) <= [0.3, 0.05]):
    print("recovered both parameters")
else:
    raise SystemExit("the fit did not recover the parameters")
