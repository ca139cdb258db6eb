"""migrasim from Python: run the simulator in this process, and analyse its files.

The simulator (docs/python.md; needs the compiled module migrasim._core, which
./run.sh and ./test.sh build into this folder):

    migrasim.load(path_or_yaml, overrides={...})   a validated scenario (Scenario)
    migrasim.validate(path_or_yaml, overrides=...)  what `migrasim validate` prints
    migrasim.run(scenario, replicates=, seed=, threads=)   an xarray.Dataset, as `migrasim run` writes
    migrasim.simulator(scenario, parameters=[...], summaries=[...])   f(values) -> numpy array
    migrasim.ScenarioError                          raised for a bad scenario

Analysis of files (pure Python; import the module you need):

    migrasim.io           reading files and their attributes
    migrasim.windows      date windows and reductions over time (flows summed, stocks read at the end)
    migrasim.summary      window totals with replicate intervals (python3 -m migrasim.summary)
    migrasim.compare      scenarios against a baseline (python3 -m migrasim.compare)
    migrasim.sensitivity  sensitivity indices from a sweep (python3 -m migrasim.sensitivity)
    migrasim.equivalence  two sets of runs, same distribution? (python3 -m migrasim.equivalence)
    migrasim.fit          a run against observed figures, targets as data (python3 -m migrasim.fit)

Importing this package loads nothing: the names above are looked up on first
use, so the analysis modules work whether or not the compiled module is built.
"""
import importlib

# name -> the module that defines it, imported on first use.
_LAZY = {
    "load": "migrasim.native",
    "validate": "migrasim.native",
    "run": "migrasim.native",
    "simulator": "migrasim.native",
    "Simulator": "migrasim.native",
    "Scenario": "migrasim.native",
    "ScenarioError": "migrasim.errors",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'migrasim' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
