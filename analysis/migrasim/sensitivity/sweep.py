"""Reading a sweep file: parameters, member status and one value per member and output."""
import dataclasses

import numpy as np

from migrasim.io import attribute_value, attributes, flag_meanings, open_checked
from migrasim.windows import TIME_REDUCTIONS, reduce_time, summed_units, time_reduction

DESIGNS = ("grid", "latin_hypercube", "sobol")
# The member_status flag meaning of a member whose outputs are written; the other
# meanings (and the values of all) are read from the file.
FINISHED = "finished"
# How outputs with a time axis may be reduced: "auto" as their cell_methods say.
TIME_REDUCE_CHOICES = ("auto",) + TIME_REDUCTIONS


class SensitivityError(Exception):
    """An input problem reported to the user (exit status 2)."""


@dataclasses.dataclass
class Parameter:
    name: str
    values: np.ndarray        # per member
    distribution: str         # uniform | log_uniform | values
    lower: float
    upper: float
    units: str
    long_name: str
    key_path: str

    @property
    def log_scale(self):
        """Log-uniform parameters are compared on the log scale (elementary-effect steps, SRC)."""
        return self.distribution == "log_uniform"


@dataclasses.dataclass
class Output:
    name: str
    values: np.ndarray        # per member: the replicate mean of the (time-reduced) output
    units: str
    long_name: str
    reduction: str            # how one value per member was obtained, for people
    noise_share: float        # mean within-member variance of the replicate mean / variance across members


@dataclasses.dataclass
class Sweep:
    path: str
    design: str
    attrs: dict
    parameters: list          # [Parameter], in design column order
    outputs: dict             # name -> Output
    status: np.ndarray        # per member: its member_status flag meaning ("finished", ...)
    replicates: int
    notes: list

    @property
    def members(self):
        return self.status.size

    @property
    def finished(self):
        """Per member: True where its outputs are written."""
        return self.status == FINISHED

    @property
    def names(self):
        return [p.name for p in self.parameters]

    def matrix(self, log_scale=False):
        """Members x parameters; log10 of log-uniform parameters when log_scale."""
        columns = []
        for p in self.parameters:
            values = p.values
            if log_scale and p.log_scale:
                with np.errstate(divide="ignore", invalid="ignore"):
                    values = np.log10(values)
            columns.append(values)
        return np.column_stack(columns)


def _floatattribute_value(attrs, key):
    try:
        return float(attribute_value(attrs[key]))
    except (KeyError, TypeError, ValueError):
        return np.nan


def load_sweep(path, outputs=None, time_reduce="auto"):
    """Reads a sweep file: parameters, member status and one value per member for each
    output (all the file keeps, or those named). Outputs with a time axis are first
    reduced over time per replicate: `time_reduce` "auto" sums flows and takes the
    last value of stocks, as their cell_methods say. Raises SensitivityError."""
    path = str(path)
    if time_reduce not in TIME_REDUCE_CHOICES:
        raise SensitivityError(f"unknown time reduction '{time_reduce}' (use {', '.join(TIME_REDUCE_CHOICES)})")
    with open_checked(path, "sweep", SensitivityError) as ds:
        attrs = attributes(ds.attrs)
        if "design" not in attrs:
            raise SensitivityError(f"{path}: not a migrasim sweep file (no 'design' attribute; "
                                   f"a run file from `migrasim run` is read by migrasim.compare)")
        design = str(attrs["design"]).strip()
        if design not in DESIGNS:
            raise SensitivityError(f"{path}: unknown design '{design}' (expected {', '.join(DESIGNS)})")
        if "member" not in ds.dims:
            raise SensitivityError(f"{path}: not a migrasim sweep file (no 'member' dimension)")
        if "replicate" not in ds.dims or ds.sizes["replicate"] == 0:
            raise SensitivityError(f"{path}: the sweep has no replicates (no 'replicate' dimension or it is empty)")
        members = ds.sizes["member"]
        if members == 0:
            raise SensitivityError(f"{path}: the sweep has no members")
        names = str(attrs.get("parameters", "")).split()
        if not names:
            raise SensitivityError(f"{path}: the 'parameters' attribute lists no parameter")
        parameters = [_parameter(ds, path, name) for name in names]

        notes = []
        if "member_status" in ds.variables:
            status = _member_status(ds["member_status"], path)
        else:
            status = np.full(members, FINISHED, dtype=object)
            notes.append("the file has no member_status: every member is taken as run")

        listed = str(attrs.get("outputs", "")).split()
        if not listed:
            raise SensitivityError(f"{path}: the 'outputs' attribute lists no output")
        wanted = list(dict.fromkeys(outputs)) if outputs else listed
        loaded = {}
        for name in wanted:
            if name not in listed:
                raise SensitivityError(f"{path}: no output named '{name}' (the sweep kept: {', '.join(listed)})")
            loaded[name] = _output(ds, path, name, time_reduce)
    return Sweep(path=path, design=design, attrs=attrs, parameters=parameters, outputs=loaded,
                 status=status, replicates=int(ds.sizes["replicate"]), notes=notes)


def _member_status(var, path):
    """The flag meaning of each member's status, from flag_values and flag_meanings;
    "status V" for a value they do not list, "no status" for NaN."""
    if var.dims != ("member",):
        raise SensitivityError(f"{path}: member_status has dims {var.dims}, expected ('member',)")
    try:
        meanings = flag_meanings(var, "member_status")
    except ValueError as error:
        raise SensitivityError(f"{path}: {error}")
    if FINISHED not in meanings.values():
        raise SensitivityError(f"{path}: member_status has no '{FINISHED}' among its flag_meanings "
                               f"({' '.join(meanings.values())}): which members ran is unknown")
    values = np.asarray(var.values, dtype=float)
    return np.array([meanings.get(v, f"status {v:g}") if np.isfinite(v) else "no status" for v in values],
                    dtype=object)


def _parameter(ds, path, name):
    if name not in ds.variables:
        raise SensitivityError(f"{path}: parameter '{name}' (in the 'parameters' attribute) has no variable")
    var = ds[name]
    if var.dims != ("member",):
        raise SensitivityError(f"{path}: parameter '{name}' has dims {var.dims}, expected ('member',)")
    values = np.asarray(var.values, dtype=float)
    distribution = str(attribute_value(var.attrs.get("distribution", "uniform")))
    lower, upper = _floatattribute_value(var.attrs, "lower"), _floatattribute_value(var.attrs, "upper")
    finite = values[np.isfinite(values)]
    if not np.isfinite(lower) and finite.size:
        lower = float(finite.min())
    if not np.isfinite(upper) and finite.size:
        upper = float(finite.max())
    return Parameter(name=name, values=values, distribution=distribution, lower=lower, upper=upper,
                     units=str(attribute_value(var.attrs.get("units", ""))),
                     long_name=str(attribute_value(var.attrs.get("long_name", name))),
                     key_path=str(attribute_value(var.attrs.get("key_path", ""))))


def _output(ds, path, name, time_reduce):
    if name not in ds.variables:
        raise SensitivityError(f"{path}: output '{name}' (in the 'outputs' attribute) has no variable")
    var = ds[name]
    data = np.asarray(var.values, dtype=float)
    replicates = ds.sizes["replicate"]
    units = str(attribute_value(var.attrs.get("units", "")))
    if var.dims == ("member", "replicate"):
        start, end = var.attrs.get("window_start"), var.attrs.get("window_end")
        what = str(attribute_value(var.attrs.get("reduce", "")))
        if start is not None and end is not None:
            what = f"{what} over {attribute_value(start)} .. {attribute_value(end)}".strip()
        per_replicate = data
    elif var.dims == ("member", "replicate", "time"):
        if data.shape[2] == 0:
            raise SensitivityError(f"{path}: output '{name}' has no time steps")
        how = time_reduction(name, var.attrs) if time_reduce == "auto" else time_reduce
        per_replicate = reduce_time(data, how, axis=2)
        units = summed_units(units, how)
        what = {"sum": "sum over", "mean": "mean over", "last": "last of"}[how]
        what = f"{what} {data.shape[2]} time step(s)"
        if "time" in ds.coords and np.issubdtype(ds["time"].dtype, np.datetime64):
            times = ds["time"].values
            what += f" {str(times[0])[:10]} .. {str(times[-1])[:10]}"
    else:
        raise SensitivityError(f"{path}: output '{name}' has dims {var.dims}, expected (member, replicate) "
                               f"or (member, replicate, time)")
    values = per_replicate.mean(axis=1)
    what = (what + ", " if what else "") + f"mean of {replicates} replicate(s)"
    return Output(name=name, values=values, units=units,
                  long_name=str(attribute_value(var.attrs.get("long_name", name))), reduction=what,
                  noise_share=noise_share(per_replicate))


def noise_share(per_replicate):
    """Share of the variance of the replicate means across members that is replicate
    noise: mean over members of var_r(Y_mr) / R, over var_m(mean_r Y_mr). NaN with
    fewer than two replicates or two valid members."""
    per_replicate = np.asarray(per_replicate, dtype=float)
    rows = per_replicate[np.isfinite(per_replicate).all(axis=1)]
    if rows.shape[1] < 2 or rows.shape[0] < 2:
        return np.nan
    between = rows.mean(axis=1).var(ddof=1)
    if between == 0:
        return np.nan
    return float(rows.var(axis=1, ddof=1).mean() / rows.shape[1] / between)


