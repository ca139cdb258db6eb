"""migrasim in this process: load, validate and run scenarios, and a simulator
function for inference and optimisation (docs/python.md).

The compiled module migrasim._core does the work; this module shapes what it
returns. migrasim.run gives the Dataset `migrasim run` would write: the run is
written by the same C++ code into an HDF5 file held in memory (HDF5's core
driver, never on disk), whose bytes xarray opens here.
"""
import datetime as dt
import io
import os

import numpy as np

from migrasim import windows
from migrasim.errors import ScenarioError

# Waiting OpenMP threads sleep instead of spinning, as the executable's do
# (sim/cli/openmp_wait.cpp): on a machine shared with another busy process a
# spinning thread takes the core its partner needs. OpenMP reads this once,
# when it is first loaded, so it takes effect only if nothing has loaded it yet;
# a policy the user set is left alone.
if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

try:
    from migrasim import _core
except ImportError as error:  # pragma: no cover - depends on the build
    raise ImportError(
        "migrasim's compiled module (migrasim/_core*.so) is not built: run ./run.sh or ./test.sh "
        "(or source tools/setup.sh && migrasim_build) from the repository root; the analysis "
        f"modules (migrasim.compare, migrasim.io, ...) work without it ({error})") from error

Scenario = _core.Scenario

__all__ = ["load", "validate", "run", "simulator", "Simulator", "Scenario", "ScenarioError"]


def _override_value(value):
    """A Python value written as --set takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def _override_list(overrides):
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [f"{key}={_override_value(value)}" for key, value in overrides.items()]
    if isinstance(overrides, str):
        raise TypeError("overrides is a dict {key.path: value} or a list of 'key.path=value'")
    return [str(o) for o in overrides]


def _is_text(source):
    """A YAML document rather than a path: it has a line break, or a colon and
    is not an existing file."""
    if isinstance(source, os.PathLike):
        return False
    if not isinstance(source, str):
        raise TypeError(f"a scenario is a path or YAML text, not {type(source).__name__}")
    return "\n" in source or (":" in source and not os.path.exists(source))


def load(source, overrides=None):
    """A validated, compiled scenario from a file path or YAML text.

    overrides: {key.path: value} (or a list of "key.path=value"), applied as
    `--set` applies them: list elements by index or by name. Text is reported
    as "<string>" in errors; an `extends:` in it is relative to the working
    directory. Raises ScenarioError with the message `migrasim validate` gives.
    """
    if isinstance(source, Scenario):
        if overrides:
            return _core.load(source.yaml if source.file == _core.TEXT_FILE_NAME else source.file,
                              source.file == _core.TEXT_FILE_NAME,
                              list(source.overrides) + _override_list(overrides))
        return source
    text = _is_text(source)
    return _core.load(source if text else os.fspath(source), text, _override_list(overrides))


def validate(source, overrides=None):
    """Checks a scenario as `migrasim validate` does and returns the line it
    prints; raises ScenarioError."""
    s = load(source, overrides)
    return (f"{s.file}: OK ({len(s.regions)} regions, {len(s.nodes)} nodes, {len(s.edges)} edges, "
            f"{len(s.checkpoints)} checkpoints; {s.steps} steps of {s.step_days:g} days; "
            f"{s.agents} agents)")


def _command_line(scenario, replicates, seed, threads, posterior=None):
    arguments = [repr(scenario.file)]
    for name, value in (("replicates", replicates), ("seed", seed), ("threads", threads),
                        ("posterior", None if posterior is None else repr(str(posterior)))):
        if value is not None:
            arguments.append(f"{name}={value}")
    return f"migrasim.run({', '.join(arguments)})"


def _threads(threads):
    if threads is None:
        return 0
    if int(threads) < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    return int(threads)


def _positive(name, value, high):
    if value is None:
        return None
    if not 1 <= int(value) <= high:
        raise ValueError(f"{name} must be in [1, {high}], not {value}")
    return int(value)


def _seed(seed):
    if seed is None:
        return None
    if not 0 <= int(seed) <= 2 ** 53:
        raise ValueError(f"seed must be in [0, 2^53], not {seed}")
    return int(seed)


def run(scenario, replicates=None, seed=None, threads=None, posterior=None):
    """Runs a scenario (a Scenario, a path or YAML text) and returns its output
    as an xarray.Dataset held in memory, identical to the file `migrasim run
    SCENARIO --replicates R --seed S` writes (the root attribute command_line
    records this call instead). Nothing is written to disk.

    replicates, seed: as --replicates and --seed (default: the scenario's run
    section); threads: OpenMP threads (default: all cores; results do not
    depend on it). The GIL is released while the model steps; Ctrl-C raises
    KeyboardInterrupt at the end of the current step.

    posterior: a posterior file of `migrasim calibrate` (as `migrasim run
    --posterior`): each replicate runs with one particle of its final
    generation, drawn by weight from (seed, replicate); the Dataset then has
    `particle(replicate)` and `parameter_value(replicate, parameter)`.
    """
    import xarray as xr

    scenario = load(scenario)
    image = _core.run_image(scenario, _positive("replicates", replicates, 100000), _seed(seed),
                            _threads(threads),
                            _command_line(scenario, replicates, seed, threads, posterior),
                            None if posterior is None else os.fspath(posterior))
    with xr.open_dataset(io.BytesIO(image), engine="h5netcdf") as ds:
        return ds.load()


class _Summary:
    """One summary resolved against a scenario: where its values lie in the
    simulator's arrays, its steps and its reduction."""

    def __init__(self, spec, scenario, times):
        if isinstance(spec, str):
            spec = {"series": spec}
        if not isinstance(spec, dict) or "series" not in spec:
            raise ValueError(f"a summary is a dict with at least 'series', not {spec!r}")
        unknown = set(spec) - {"series", "at", "window", "reduce"}
        if unknown:
            raise ValueError(f"summary {spec!r}: unknown key(s) {sorted(unknown)} "
                             "(allowed: series, at, window, reduce)")
        self.spec = spec
        name = spec["series"]
        table = {s["name"]: s for s in scenario.series}
        scalar = [s["name"] for s in table.values() if s["dims"] == ("replicate", "time")]
        per_place = {s["name"]: s["dims"][2] for s in table.values()
                     if len(s["dims"]) == 3 and s["dims"][2] != "intervention"}
        places = {"node": list(scenario.nodes),
                  "edge": [f"{a}->{b}" for a, b in scenario.edges],
                  "checkpoint": list(scenario.checkpoints),
                  "network": list(scenario.networks)}
        at = spec.get("at")
        self.name, self.place = name, None
        if name in scalar:
            if at is not None:
                raise ValueError(f"summary of {name}: 'at' is for series with their own axis "
                                 f"({', '.join(per_place)})")
            self.kind, self.index = "scalar", scalar.index(name)
        elif name in per_place:
            axis = per_place[name]
            if isinstance(at, dict):
                if set(at) != {axis}:
                    raise ValueError(f"summary of {name}: at {at!r} names no {axis} "
                                     f"({{'{axis}': NAME}})")
                where = at[axis]
            else:
                where = at
            if axis == "edge" and isinstance(where, (list, tuple)) and len(where) == 2:
                where = f"{where[0]}->{where[1]}"
            if where not in places[axis]:
                raise ValueError(f"summary of {name}: at {axis} {where!r} is not a {axis} of the "
                                 f"scenario ({axis}s: {', '.join(places[axis])})")
            self.kind, self.index, self.place = axis, places[axis].index(where), where
        else:
            raise ValueError(f"summary: no series named {name!r} "
                             f"(series: {', '.join(scalar + list(per_place))})")
        self.steps = (windows.window_steps(times, spec["window"]) if spec.get("window") is not None
                      else slice(0, len(times)))
        self.reduce = spec.get("reduce") or windows.time_reduction(name, table[name])
        if self.reduce not in windows.TIME_REDUCTIONS:
            raise ValueError(f"summary of {name}: unknown reduce {self.reduce!r} "
                             f"(use {', '.join(windows.TIME_REDUCTIONS)})")
        where = f" at {self.place}" if self.place is not None else ""
        window = ""
        if spec.get("window") is not None:
            first, last = windows.window_dates(spec["window"])
            window = f" {first}..{last}"
        self.label = f"{name}{where}{window} ({self.reduce})"

    def values(self, scalar, per_place):
        """Per replicate, from the arrays the compiled simulator returns."""
        series = (scalar[:, self.index, self.steps] if self.kind == "scalar"
                  else per_place[self.name][:, self.steps, self.index])
        return windows.reduce_time(series, self.reduce, axis=1)


class Simulator:
    """A scenario as a function of some of its keys: f(values) -> summaries.

    Build it with migrasim.simulator(). Calling it with a sequence of values (in
    the order of `parameters`) or a dict {key: value} applies them as --set
    overrides to the scenario (no file is read), runs `replicates` replicates
    in this process, and returns a float64 numpy array: one value per summary,
    the mean over replicates (or, with replicate_mean=False, an array of shape
    (replicates, summaries)). The same values and seed give the same bits.
    """

    def __init__(self, scenario, parameters, summaries, replicates=1, seed=None, threads=None,
                 replicate_mean=True):
        self.scenario = load(scenario)
        self.parameters = list(parameters)
        if len(set(self.parameters)) != len(self.parameters):
            raise ValueError(f"parameters named twice: {self.parameters}")
        step_ns = np.int64(round(self.scenario.step_days * 86400e9))
        times = (np.datetime64(self.scenario.start, "ns")
                 + np.arange(self.scenario.steps, dtype=np.int64) * step_ns)
        self.summaries = [_Summary(s, self.scenario, times) for s in summaries]
        if not self.summaries:
            raise ValueError("no summaries asked for")
        self.labels = [s.label for s in self.summaries]
        self.replicates = _positive("replicates", replicates, 100000)
        self.seed = _seed(seed)
        self.replicate_mean = replicate_mean
        self._core = _core.Simulator(self.scenario, self.parameters, self.replicates,
                                     _threads(threads))

    def _values(self, values):
        if isinstance(values, dict):
            missing = [k for k in self.parameters if k not in values]
            extra = [k for k in values if k not in self.parameters]
            if missing or extra:
                raise ValueError(f"parameter values: missing {missing}, unexpected {extra} "
                                 f"(parameters: {self.parameters})")
            values = [values[k] for k in self.parameters]
        values = [float(v) for v in np.atleast_1d(np.asarray(values, dtype=float))]
        if len(values) != len(self.parameters):
            raise ValueError(f"{len(values)} values for {len(self.parameters)} parameters "
                             f"{self.parameters}")
        return values

    def __call__(self, values, seed=None):
        """Summaries for these parameter values; `seed` replaces the simulator's."""
        scalar, per_place = self._core(self._values(values),
                                       _seed(seed if seed is not None else self.seed))
        out = np.stack([s.values(scalar, per_place) for s in self.summaries], axis=1)
        return out.mean(axis=0) if self.replicate_mean else out

    def __repr__(self):
        return (f"Simulator({self.scenario.name!r}, parameters={self.parameters}, "
                f"summaries={self.labels}, replicates={self.replicates})")


def simulator(scenario, parameters, summaries, replicates=1, seed=None, threads=None,
              replicate_mean=True):
    """A function of scenario keys for inference and optimisation (Simulator).

    parameters: key paths as --set names them ("decisions.hardship_weight",
    "route.edges.3.travel_days", "regions.home.population_share").
    summaries: each a dict in the vocabulary of calibration targets:
      series  an output series (Scenario.series)
      at      {"node"|"edge"|"checkpoint"|"network": NAME} for a series with that
              axis (an edge as "from->to")
      window  {"year": Y}, {"fiscal_year": Y, "first_month": M}, {"month": "YYYY-MM"}
              or {"start": DATE, "end": DATE} (migrasim.windows.window_dates); default: the whole run
      reduce  "sum", "mean" or "last" over the window's steps (default: sum for a
              flow, last for a stock, from the series' cell_methods)
    A series name alone is the whole-run summary of that series.
    """
    return Simulator(scenario, parameters, summaries, replicates=replicates, seed=seed,
                     threads=threads, replicate_mean=replicate_mean)
