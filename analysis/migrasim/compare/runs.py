"""Loading the run files a comparison reads."""
import dataclasses
import datetime as dt
import pathlib

import numpy as np
import pandas as pd

from migrasim.io import attribute_value, attributes, open_checked
from migrasim.windows import day, time_reduction

# Headline outcomes, in report order: what a policy comparison shows. Whether each
# is a flow or a stock, its units and its long name come from the file.
METRICS = [
    "border_encounters",
    "smuggled_departures",
    "deaths",
    "smuggler_revenue_usd",
    "high_risk_detected",
    "high_risk_missed",
    "false_positives",
    "falsified_docs_detected",
    "asylum_granted",
    "legal_pathway_entries",
    "coerced_arrivals",
    "intervention_cost_usd",
    "asylum_backlog",
]


# Dimensions of the route whose series the report draws on the route diagram and
# tabulates: every variable on (replicate, time, one of these) is read, whatever
# its name, so series added to the files appear without a change here.
ROUTE_DIMS = ("node", "edge", "checkpoint", "network")


class CompareError(Exception):
    """An input problem reported to the user (exit status 2)."""


@dataclasses.dataclass
class Run:
    path: str
    label: str
    scenario_name: str
    attrs: dict
    times: np.ndarray          # datetime64[ns], start of each step
    step_days: float
    replicates: np.ndarray     # replicate coordinate values (ints)
    series: dict               # name -> float array (replicate, time)
    units: dict                # name -> units as stored (per step for flows)
    long_names: dict
    reductions: dict           # name -> "sum" (a flow) or "last" (a stock), from cell_methods
    interventions: list = dataclasses.field(default_factory=list)  # "name (type): first .. last day in force"
    entities: dict = dataclasses.field(default_factory=dict)        # route dimension -> Entities
    particle: np.ndarray = None  # per replicate: the posterior particle it ran (None without a posterior)
    others: dict = dataclasses.field(default_factory=dict)  # scalar series not in METRICS: name -> (values, attrs)

    @property
    def seed(self):
        return self.attrs.get("seed")

    @property
    def first_day(self):
        return day(self.times[0])

    @property
    def last_day(self):
        """The last day the data cover: the end of the last step."""
        return day(self.times[-1]) + dt.timedelta(days=max(self.step_days, 1.0) - 1.0)


@dataclasses.dataclass
class Entities:
    """The series a run file has along one route dimension (node, edge, ...)."""
    dim: str
    labels: list               # coordinate values as text, in file order
    aux: dict                  # auxiliary coordinate on the dimension (e.g. edge_from) -> texts
    series: dict               # name -> float array (replicate, time, entity), in file order
    units: dict
    long_names: dict
    reductions: dict           # name -> "sum" or "last", from cell_methods


def load_run(path):
    """Reads the headline series of one run file. Raises CompareError."""
    path = str(path)
    with open_checked(path, "run", CompareError) as ds:
        if "border_encounters" not in ds.data_vars:
            raise CompareError(f"{path}: not a migrasim run file (no border_encounters variable)")
        if "time" not in ds.coords or "replicate" not in ds.coords:
            raise CompareError(f"{path}: not a migrasim run file (no time or replicate coordinate)")
        times = np.asarray(ds["time"].values)
        if not np.issubdtype(times.dtype, np.datetime64):
            raise CompareError(f"{path}: the time coordinate has no 'days since DATE' units")
        if times.size == 0:
            raise CompareError(f"{path}: the run has no time steps")
        attrs = attributes(ds.attrs)
        step_days = attrs.get("step_days", ds["time"].attrs.get("step_days"))
        if step_days is None:
            step_days = (times[1] - times[0]) / np.timedelta64(1, "D") if times.size > 1 else 1.0
        replicates = np.asarray(ds["replicate"].values)
        series, units, long_names, reductions = {}, {}, {}, {}
        for name in METRICS:
            if name not in ds.data_vars or ds[name].dims != ("replicate", "time"):
                continue
            var = ds[name]
            reductions[name] = time_reduction(name, var.attrs)
            series[name] = np.asarray(var.values, dtype=float)
            units[name] = str(var.attrs.get("units", ""))
            long_names[name] = str(var.attrs.get("long_name", name))
        others = {name: (np.asarray(var.values, dtype=float), dict(var.attrs))
                  for name, var in ds.data_vars.items()
                  if name not in METRICS and var.dims == ("replicate", "time")}
        interventions = _interventions(ds, times)
        entities = {dim: e for dim in ROUTE_DIMS if (e := _entities(ds, dim)) is not None}
        particle = _particle(ds, path)
    if np.any(replicates != np.round(replicates)):
        raise CompareError(f"{path}: replicate coordinate is not whole numbers")
    name = str(attrs.get("scenario_name") or "").strip()
    return Run(path=path, label=name or pathlib.Path(path).stem, scenario_name=name, attrs=attrs,
               times=times, step_days=float(step_days), replicates=replicates.astype(int), series=series,
               units=units, long_names=long_names, reductions=reductions, interventions=interventions,
               entities=entities, particle=particle, others=others)


def _texts(values):
    return [str(attribute_value(v)) for v in np.asarray(values).ravel()]


def _entities(ds, dim):
    """Every variable on (replicate, time, dim), with the dimension's labels and its
    auxiliary coordinates; None when the file has no such variable."""
    names = [name for name, var in ds.data_vars.items() if var.dims == ("replicate", "time", dim)]
    if not names:
        return None
    labels = _texts(ds[dim].values) if dim in ds.coords else [str(k) for k in range(ds.sizes[dim])]
    aux = {name: _texts(coord.values) for name, coord in ds.coords.items()
           if name != dim and coord.dims == (dim,)}
    series, units, long_names, reductions = {}, {}, {}, {}
    for name in names:
        var = ds[name]
        series[name] = np.asarray(var.values, dtype=float)
        units[name] = str(var.attrs.get("units", ""))
        long_names[name] = str(var.attrs.get("long_name", name))
        reductions[name] = time_reduction(name, var.attrs)
    return Entities(dim=dim, labels=labels, aux=aux, series=series, units=units, long_names=long_names,
                    reductions=reductions)


def _particle(ds, path):
    """The posterior particle each replicate ran, from a `particle` variable or
    coordinate on the replicate axis or a root attribute with one value per
    replicate; None when the run used no posterior."""
    nrep = ds.sizes["replicate"]
    values = None
    if "particle" in ds.variables and ds["particle"].dims == ("replicate",):
        values = ds["particle"].values
    elif "particle" in ds.attrs:
        values = np.atleast_1d(np.asarray(ds.attrs["particle"]))
    if values is None:
        return None
    values = np.asarray(values).ravel()
    if values.size != nrep:
        raise CompareError(f"{path}: 'particle' has {values.size} value(s) for {nrep} replicate(s)")
    try:
        values = values.astype(float)
    except (TypeError, ValueError):
        raise CompareError(f"{path}: 'particle' is not numeric")
    if np.any(values != np.round(values)):
        raise CompareError(f"{path}: 'particle' is not whole numbers (particle indices)")
    return values.astype(np.int64)


def _interventions(ds, times):
    """The file's interventions (optional `intervention` axis), with the days they are
    in force in replicate 0, for the provenance."""
    if "intervention" not in ds.coords:
        return []
    names = [str(attribute_value(v)) for v in np.asarray(ds["intervention"].values).ravel()]
    types = str(attribute_value(ds["intervention"].attrs.get("intervention_types", ""))).split()
    activity = None
    if "intervention_activity" in ds.data_vars and ds["intervention_activity"].dims == (
            "replicate", "time", "intervention") and ds.sizes["replicate"] > 0:
        activity = np.asarray(ds["intervention_activity"].isel(replicate=0).values, dtype=float)
    out = []
    for k, name in enumerate(names):
        text = name + (f" ({types[k]})" if len(types) == len(names) else "")
        if activity is not None:
            active = np.nonzero(activity[:, k] > 0)[0]
            text += (f": in force {day(times[active[0]])} .. {day(times[active[-1]])}" if active.size
                     else ": never in force")
        out.append(text)
    return out


def select_metric(run, spec):
    """`run` with the series `spec` added to its headline series under the key
    `spec`: a scalar series NAME, or NAME@PLACE for one place of a series on a
    node, edge, checkpoint or network axis (as forecast.py's --series). The Run
    given is left as it was. Raises CompareError naming the file."""
    spec = str(spec).strip()
    name, at, place = spec.partition("@")
    name, place = name.strip(), place.strip()
    if not name or (at and not place):
        raise CompareError(f"--metric {spec!r}: expected NAME or NAME@PLACE")
    key = f"{name}@{place}" if at else name
    if key in run.series:
        return run
    path = run.path
    entities = next((e for e in run.entities.values() if name in e.series), None)
    if entities is not None:
        if not at:
            article = "an" if entities.dim[0] in "aeiou" else "a"
            raise CompareError(f"{path}: {name} has {article} {entities.dim} axis: say which {entities.dim} with "
                               f"--metric {name}@{entities.dim.upper()} (its {entities.dim}s: "
                               f"{', '.join(entities.labels)})")
        if place not in entities.labels:
            raise CompareError(f"{path}: {name}: the run has no {entities.dim} named '{place}' (its "
                               f"{entities.dim}s: {', '.join(entities.labels)})")
        k = entities.labels.index(place)
        values = entities.series[name][:, :, k]
        units, long_name, reduction = entities.units[name], entities.long_names[name], entities.reductions[name]
        long_name = f"{long_name}: {place}"
    elif name in run.others or name in METRICS and name in run.series:
        if at:
            raise CompareError(f"{path}: {name} has no node, edge, checkpoint or network axis: "
                               f"drop '@{place}'")
        values, attrs = run.others[name]
        units, long_name = str(attrs.get("units", "")), str(attrs.get("long_name", name))
        reduction = time_reduction(name, attrs)
    else:
        places = sorted(n for e in run.entities.values() for n in e.series)
        raise CompareError(f"{path}: the run has no series '{name}' (scalar series: "
                           f"{', '.join(sorted(set(run.series) | set(run.others)))}; series per place: "
                           f"{', '.join(places) or 'none'})")
    return dataclasses.replace(run, series={**run.series, key: np.asarray(values, dtype=float)},
                               units={**run.units, key: units}, long_names={**run.long_names, key: long_name},
                               reductions={**run.reductions, key: reduction})


def disambiguate(runs):
    """Makes labels unique: duplicates get the file stem, then a number."""
    counts = pd.Series([r.label for r in runs]).value_counts()
    for run in runs:
        if counts[run.label] > 1:
            run.label = f"{run.label} ({pathlib.Path(run.path).stem})"
    seen = {}
    for run in runs:
        base = run.label
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            run.label = f"{base} #{seen[base]}"
    return runs


def load_runs(paths):
    runs = [load_run(p) for p in paths]
    return disambiguate(runs)
