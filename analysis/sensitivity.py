#!/usr/bin/python3
"""Sensitivity indices from a migrasim sweep file.

Usage:
    /usr/bin/python3 analysis/sensitivity.py SWEEP.h5 [--output NAME ...] [--bootstrap 1000]
        [--confidence 0.95] [--seed 0] [--time-reduce sum|mean|last] [--method auto|sobol|morris|regression]
        [--plot DIR] [--csv FILE] [--json FILE] [--salib DIR]

Reads a file written by `migrasim sweep` and, for every kept output (or those named
with --output), takes one value per member: the mean over replicates of the output
(outputs kept with a time axis are first reduced over time per replicate: summed
by default, see --time-reduce). What it computes depends on the sweep's design:

  sobol            Sobol indices: first order S1 (Saltelli et al. 2010 estimator) and
                   total order ST (Jansen 1999), normalized by the variance of the
                   A and B samples, as SALib's sobol.analyze(calc_second_order=False).
  grid             Morris-style elementary effects between adjacent levels of each
                   parameter (the step as a fraction of the parameter's range):
                   mu, mu* (mean absolute effect) and sigma.
  latin_hypercube  standardized regression coefficients (SRC, with the R^2 of the
                   linear fit) and partial rank correlation coefficients (PRCC).
                   A Latin hypercube cannot give Sobol indices: they need the
                   Saltelli (design: sobol) member layout.

Log-uniform parameters are taken on the log10 scale for elementary-effect steps
and regressions. With several replicates, the report gives the share of the
variance of the member means that is replicate noise (variance no parameter explains).

Intervals come from a bootstrap: over base samples (each A, AB_1..AB_k, B block
kept together) for Sobol, over elementary effects for Morris, over members for
SRC/PRCC. They are given as SALib's `conf` (z times the bootstrap standard
deviation) and as the percentile interval. Members that failed, were not run or
have a NaN output are left out (for Sobol, with their whole block) and counted.
Errors in the input (a file that is not a sweep file, outputs it lacks, too few
valid samples) exit with status 2.
"""
import argparse
import dataclasses
import json
import os
import pathlib
import sys

import numpy as np

from migrasim_output import attribute_value as _attr

DESIGNS = ("grid", "latin_hypercube", "sobol")
METHODS = {"sobol": "sobol", "grid": "morris", "latin_hypercube": "regression"}
TIME_REDUCTIONS = ("sum", "mean", "last")
STATUS_OK = 1
# Bootstrap resamples are drawn in chunks of about this many values, to bound memory.
CHUNK_VALUES = 4_000_000

METHOD_TITLES = {
    "sobol": "Sobol indices: first order S1 (Saltelli et al. 2010), total order ST (Jansen 1999)",
    "morris": "Elementary effects between adjacent grid levels (Morris): mu, mu* = mean |EE|, sigma; "
              "EE = dY / (step as a fraction of the parameter's range)",
    "regression": "Standardized regression coefficients (SRC, linear fit R^2) and partial rank correlation "
                  "coefficients (PRCC); not Sobol indices, which need a sobol (Saltelli) design",
}


class SensitivityError(Exception):
    """An input problem reported to the user (exit status 2)."""


# --------------------------------------------------------------------------- loading

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
    status: np.ndarray        # per member: 0 not run, 1 ok, 2 failed
    replicates: int
    notes: list

    @property
    def members(self):
        return self.status.size

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


def _float_attr(attrs, key):
    try:
        return float(_attr(attrs[key]))
    except (KeyError, TypeError, ValueError):
        return np.nan


def load_sweep(path, outputs=None, time_reduce="sum"):
    """Reads a sweep file: parameters, member status and one value per member for each
    output (all the file keeps, or those named). Raises SensitivityError."""
    import xarray as xr

    path = str(path)
    if time_reduce not in TIME_REDUCTIONS:
        raise SensitivityError(f"unknown time reduction '{time_reduce}' (use {', '.join(TIME_REDUCTIONS)})")
    if not os.path.exists(path):
        raise SensitivityError(f"{path}: no such file")
    if os.path.isdir(path):
        raise SensitivityError(f"{path}: is a directory, not a sweep file")
    try:
        # Parameters and outputs may carry units such as "days", which xarray would
        # otherwise turn into timedeltas.
        ds = xr.open_dataset(path, decode_timedelta=False)
    except Exception as error:  # noqa: BLE001 - any reader failure means "not a sweep file"
        raise SensitivityError(f"{path}: not a readable netCDF-4/HDF5 sweep file ({type(error).__name__}: {error})")
    with ds:
        attrs = {k: _attr(v) for k, v in ds.attrs.items()}
        if "design" not in attrs:
            raise SensitivityError(f"{path}: not a migrasim sweep file (no 'design' attribute; "
                                   f"a run file from `migrasim run` is read by compare.py)")
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
            if ds["member_status"].dims != ("member",):
                raise SensitivityError(f"{path}: member_status has dims {ds['member_status'].dims}, "
                                       f"expected ('member',)")
            status = np.asarray(ds["member_status"].values, dtype=float)
            status = np.where(np.isfinite(status), status, 0).astype(int)
        else:
            status = np.full(members, STATUS_OK)
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


def _parameter(ds, path, name):
    if name not in ds.variables:
        raise SensitivityError(f"{path}: parameter '{name}' (in the 'parameters' attribute) has no variable")
    var = ds[name]
    if var.dims != ("member",):
        raise SensitivityError(f"{path}: parameter '{name}' has dims {var.dims}, expected ('member',)")
    values = np.asarray(var.values, dtype=float)
    distribution = str(_attr(var.attrs.get("distribution", "uniform")))
    lower, upper = _float_attr(var.attrs, "lower"), _float_attr(var.attrs, "upper")
    finite = values[np.isfinite(values)]
    if not np.isfinite(lower) and finite.size:
        lower = float(finite.min())
    if not np.isfinite(upper) and finite.size:
        upper = float(finite.max())
    return Parameter(name=name, values=values, distribution=distribution, lower=lower, upper=upper,
                     units=str(_attr(var.attrs.get("units", ""))),
                     long_name=str(_attr(var.attrs.get("long_name", name))), key_path=str(_attr(var.attrs.get("key_path", ""))))


def _output(ds, path, name, time_reduce):
    if name not in ds.variables:
        raise SensitivityError(f"{path}: output '{name}' (in the 'outputs' attribute) has no variable")
    var = ds[name]
    data = np.asarray(var.values, dtype=float)
    replicates = ds.sizes["replicate"]
    if var.dims == ("member", "replicate"):
        start, end = var.attrs.get("window_start"), var.attrs.get("window_end")
        what = str(_attr(var.attrs.get("reduce", "")))
        if start is not None and end is not None:
            what = f"{what} over {_attr(start)} .. {_attr(end)}".strip()
        per_replicate = data
    elif var.dims == ("member", "replicate", "time"):
        if data.shape[2] == 0:
            raise SensitivityError(f"{path}: output '{name}' has no time steps")
        if time_reduce == "sum":
            per_replicate = data.sum(axis=2)
        elif time_reduce == "mean":
            per_replicate = data.mean(axis=2)
        else:
            per_replicate = data[:, :, -1]
        what = {"sum": "sum over", "mean": "mean over", "last": "last of"}[time_reduce]
        what = f"{what} {data.shape[2]} time step(s)"
        if "time" in ds.coords and np.issubdtype(ds["time"].dtype, np.datetime64):
            times = ds["time"].values
            what += f" {str(times[0])[:10]} .. {str(times[-1])[:10]}"
    else:
        raise SensitivityError(f"{path}: output '{name}' has dims {var.dims}, expected (member, replicate) "
                               f"or (member, replicate, time)")
    values = per_replicate.mean(axis=1)
    what = (what + ", " if what else "") + f"mean of {replicates} replicate(s)"
    return Output(name=name, values=values, units=str(_attr(var.attrs.get("units", ""))),
                  long_name=str(_attr(var.attrs.get("long_name", name))), reduction=what,
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


# --------------------------------------------------------------------------- bootstrap helpers

def _z(confidence):
    from scipy.stats import norm
    return float(norm.ppf(0.5 + confidence / 2.0))


def _check_bootstrap(bootstrap, confidence):
    if int(bootstrap) < 0:
        raise ValueError("bootstrap must be >= 0")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")


def _summarize(estimates, confidence, width):
    """conf (z * bootstrap standard deviation), low and high (percentile interval) from
    bootstrap estimates (resamples x width); NaN without resamples."""
    estimates = np.asarray(estimates, dtype=float).reshape(-1, width)
    nan = np.full(width, np.nan)
    if estimates.shape[0] < 2:
        return nan, nan.copy(), nan.copy()
    with np.errstate(invalid="ignore"), _quiet():
        conf = _z(confidence) * np.nanstd(estimates, axis=0, ddof=1)
        low, high = np.nanpercentile(estimates, [50.0 * (1.0 - confidence), 50.0 * (1.0 + confidence)], axis=0)
    return conf, low, high


class _quiet:
    """Silences numpy's 'all-NaN slice' and 'degrees of freedom' warnings."""

    def __enter__(self):
        import warnings
        self._context = warnings.catch_warnings()
        self._context.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def _chunks(bootstrap, values_per_resample):
    size = max(1, CHUNK_VALUES // max(1, values_per_resample))
    done = 0
    while done < bootstrap:
        step = min(size, bootstrap - done)
        yield step
        done += step


# --------------------------------------------------------------------------- Sobol

def _sobol_estimates(a, b, ab):
    """S1 (Saltelli 2010) and ST (Jansen 1999) from a, b (..., n) and ab (..., n, k),
    normalized by the variance of the concatenation of a and b."""
    variance = np.var(np.concatenate([a, b], axis=-1), axis=-1)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.mean(b[..., None] * (ab - a[..., None]), axis=-2) / variance
        st = 0.5 * np.mean((a[..., None] - ab) ** 2, axis=-2) / variance
    return s1, st


def sobol_indices(f_a, f_b, f_ab, bootstrap=1000, confidence=0.95, seed=0):
    """First- and total-order Sobol indices from the outputs of a Saltelli design.

    f_a, f_b: (N,) outputs at the rows of A and B; f_ab: (N, k), column i the output
    at A with column i taken from B. As SALib's sobol.analyze, the outputs are first
    centred and scaled by the mean and standard deviation of all of them; then

        S1_i = mean(f_B * (f_ABi - f_A)) / V        (Saltelli et al. 2010)
        ST_i = mean((f_A - f_ABi)^2) / (2 V)         (Jansen 1999)

    with V the variance (ddof 0) of the concatenation of f_A and f_B. The bootstrap
    resamples base samples j with replacement, keeping (A_j, AB_j, B_j) together.

    Returns a dict of arrays (k,): S1, S1_conf, S1_low, S1_high, ST, ST_conf, ST_low,
    ST_high (conf = z * bootstrap standard deviation, z = norm.ppf(0.5 + confidence/2);
    low, high the percentile interval), plus "constant": True when the output does
    not vary (the indices are then NaN).
    """
    _check_bootstrap(bootstrap, confidence)
    f_a = np.asarray(f_a, dtype=float).ravel()
    f_b = np.asarray(f_b, dtype=float).ravel()
    f_ab = np.asarray(f_ab, dtype=float)
    if f_ab.ndim == 1:
        f_ab = f_ab[:, None]
    n, k = f_ab.shape
    if f_a.size != n or f_b.size != n:
        raise ValueError(f"f_a ({f_a.size}), f_b ({f_b.size}) and f_ab ({n} rows) differ in length")
    if n < 2:
        raise ValueError(f"Sobol indices need at least 2 base samples, got {n}")
    everything = np.concatenate([f_a, f_b, f_ab.ravel()])
    if not np.isfinite(everything).all():
        raise ValueError("the outputs contain NaN or infinite values")
    mean, scale = everything.mean(), everything.std()
    result = {"constant": bool(scale == 0 or np.ptp(np.concatenate([f_a, f_b])) == 0)}
    if result["constant"]:
        nan = np.full(k, np.nan)
        for name in ("S1", "ST"):
            for suffix in ("", "_conf", "_low", "_high"):
                result[name + suffix] = nan.copy()
        return result
    a, b, ab = (f_a - mean) / scale, (f_b - mean) / scale, (f_ab - mean) / scale
    s1, st = _sobol_estimates(a, b, ab)
    result["S1"], result["ST"] = s1, st
    rng = np.random.default_rng(seed)
    boot_s1, boot_st = [], []
    for size in _chunks(int(bootstrap), n * (k + 2)):
        index = rng.integers(0, n, size=(size, n))
        s1_b, st_b = _sobol_estimates(a[index], b[index], ab[index])
        boot_s1.append(s1_b)
        boot_st.append(st_b)
    for name, boot in (("S1", boot_s1), ("ST", boot_st)):
        conf, low, high = _summarize(np.concatenate(boot) if boot else np.empty((0, k)), confidence, k)
        result[name + "_conf"], result[name + "_low"], result[name + "_high"] = conf, low, high
    return result


def saltelli_layout_error(x):
    """None if the member x parameter matrix follows the Saltelli (SALib saltelli.sample,
    calc_second_order=False) order: per base sample j, A_j, then AB_j^(i) for i = 1..k
    (A_j with column i-1 from B_j), then B_j; otherwise a sentence saying where it does not."""
    x = np.asarray(x, dtype=float)
    m, k = x.shape
    if m % (k + 2):
        return f"{m} members is not a multiple of k + 2 = {k + 2} (k = {k} parameters)"
    blocks = x.reshape(m // (k + 2), k + 2, k)
    a, b = blocks[:, 0, :], blocks[:, k + 1, :]
    for i in range(k):
        expected = a.copy()
        expected[:, i] = b[:, i]
        got = blocks[:, i + 1, :]
        same = np.isclose(got, expected, rtol=1e-9, atol=0.0) | (np.isnan(got) & np.isnan(expected))
        if not same.all():
            j, column = np.argwhere(~same)[0]
            member = j * (k + 2) + i + 1
            return (f"member {member} should be member {j * (k + 2)} (A) with column {i} taken from member "
                    f"{j * (k + 2) + k + 1} (B), but differs in column {column}")
    return None


# --------------------------------------------------------------------------- Morris on a grid

def grid_levels(x):
    """The sorted distinct levels of each column of a grid design's member matrix."""
    x = np.asarray(x, dtype=float)
    return [np.unique(x[:, p][np.isfinite(x[:, p])]) for p in range(x.shape[1])]


def elementary_effects(x, y, log_scale=None, bootstrap=1000, confidence=0.95, seed=0):
    """Morris-style elementary effects on a full factorial grid.

    x: (M, k) member x parameter matrix of a complete grid (every combination of the
    levels once, in any order); y: (M,) outputs, NaN where unavailable. Along each
    parameter's axis, between adjacent levels with all other parameters fixed,

        EE = (y(x + dx e_p) - y(x)) / (dx / (max_p - min_p))

    (on log10 of the parameter where log_scale[p]). Effects touching a NaN are left
    out. Returns a dict of arrays (k,): mu, mu_star (mean |EE|), sigma (standard
    deviation, ddof 1), mu_star_conf (z * bootstrap standard deviation of mu_star,
    resampling the effects as SALib's morris.analyze), mu_star_low, mu_star_high
    (percentile interval), n_effects (effects used) and n_missing (left out).
    """
    _check_bootstrap(bootstrap, confidence)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    m, k = x.shape
    if y.size != m:
        raise ValueError(f"x has {m} rows but y has {y.size} values")
    if not np.isfinite(x).all():
        raise ValueError("the grid's parameter values contain NaN")
    log_scale = [False] * k if log_scale is None else list(log_scale)
    levels = grid_levels(x)
    shape = tuple(len(v) for v in levels)
    if int(np.prod(shape)) != m:
        raise ValueError(f"{m} members do not form a complete grid of the parameters' levels "
                         f"({' x '.join(str(n) for n in shape)} = {int(np.prod(shape))} combinations)")
    index = np.column_stack([np.searchsorted(levels[p], x[:, p]) for p in range(k)])
    flat = np.ravel_multi_index(index.T, shape)
    if np.unique(flat).size != m:
        raise ValueError("some combination of levels appears twice: the members do not form a complete grid")
    grid = np.full(m, np.nan)
    grid[flat] = y
    grid = grid.reshape(shape)
    rng = np.random.default_rng(seed)
    out = {key: np.full(k, np.nan) for key in ("mu", "mu_star", "sigma", "mu_star_conf",
                                              "mu_star_low", "mu_star_high")}
    out["n_effects"] = np.zeros(k, dtype=int)
    out["n_missing"] = np.zeros(k, dtype=int)
    for p in range(k):
        if shape[p] < 2:
            continue
        coordinate = np.log10(levels[p]) if log_scale[p] else levels[p]
        span = coordinate[-1] - coordinate[0]
        step = np.diff(coordinate) / span
        step = step.reshape([-1 if q == p else 1 for q in range(k)])
        effects = (np.diff(grid, axis=p) / step).ravel()
        used = effects[np.isfinite(effects)]
        out["n_effects"][p], out["n_missing"][p] = used.size, effects.size - used.size
        if used.size == 0:
            continue
        out["mu"][p] = used.mean()
        out["mu_star"][p] = np.abs(used).mean()
        out["sigma"][p] = used.std(ddof=1) if used.size > 1 else np.nan
        absolute = np.abs(used)
        boot = []
        for size in _chunks(int(bootstrap), used.size):
            boot.append(absolute[rng.integers(0, used.size, size=(size, used.size))].mean(axis=1))
        conf, low, high = _summarize(np.concatenate(boot) if boot else np.empty(0), confidence, 1)
        out["mu_star_conf"][p], out["mu_star_low"][p], out["mu_star_high"][p] = conf[0], low[0], high[0]
    return out


# --------------------------------------------------------------------------- SRC / PRCC

def _correlation(z):
    """Correlation matrices of (..., n, v) samples: (..., v, v)."""
    centred = z - z.mean(axis=-2, keepdims=True)
    covariance = np.einsum("...ni,...nj->...ij", centred, centred)
    scale = np.sqrt(np.einsum("...ii->...i", covariance))
    return covariance / (scale[..., :, None] * scale[..., None, :])


def _src_prcc_estimates(x, y):
    """SRC (..., k), R^2 (...,), PRCC (..., k) from x (..., n, k) and y (..., n)."""
    from scipy.stats import rankdata

    k = x.shape[-1]
    z = np.concatenate([x, y[..., None]], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = _correlation(z)
        src = np.linalg.solve(c[..., :k, :k], c[..., :k, k:])[..., 0]
        r2 = np.sum(c[..., :k, k] * src, axis=-1)
        precision = np.linalg.inv(_correlation(rankdata(z, axis=-2)))
        diagonal = np.einsum("...ii->...i", precision)
        prcc = -precision[..., :k, k] / np.sqrt(diagonal[..., :k] * diagonal[..., k:])
    return src, r2, prcc


def _src_prcc_safe(x, y):
    """_src_prcc_estimates, with NaN for resamples whose correlation matrix is singular."""
    try:
        return _src_prcc_estimates(x, y)
    except np.linalg.LinAlgError:
        if x.ndim == 2:
            k = x.shape[-1]
            return np.full(k, np.nan), np.nan, np.full(k, np.nan)
        parts = [_src_prcc_safe(x[i], y[i]) for i in range(x.shape[0])]
        return tuple(np.stack([np.asarray(part[j]) for part in parts]) for j in range(3))


def src_prcc(x, y, bootstrap=1000, confidence=0.95, seed=0):
    """Standardized regression coefficients and partial rank correlation coefficients.

    x: (n, k) inputs, y: (n,) output, all finite. SRC_i is the coefficient of x_i in
    the least-squares fit of y on all inputs, both standardized (sd(x_i)/sd(y) times
    the raw slope); R^2 is that fit's coefficient of determination (sum of SRC_i^2 for
    uncorrelated inputs; a low R^2 means SRC explain little). PRCC_i is the correlation
    between the ranks of x_i and y once the linear effect of the other inputs' ranks
    is removed from both. The bootstrap resamples rows with replacement (ranks are
    recomputed). Constant inputs get NaN.

    Returns a dict: SRC, SRC_conf, SRC_low, SRC_high, PRCC, PRCC_conf, PRCC_low,
    PRCC_high (arrays (k,)) and R2, R2_conf, R2_low, R2_high (floats).
    """
    _check_bootstrap(bootstrap, confidence)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    if x.ndim == 1:
        x = x[:, None]
    n, k = x.shape
    if y.size != n:
        raise ValueError(f"x has {n} rows but y has {y.size} values")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("the inputs or outputs contain NaN or infinite values")
    varying = np.ptp(x, axis=0) > 0
    kv = int(varying.sum())
    if kv == 0:
        raise ValueError("no input varies")
    if n < kv + 2:
        raise ValueError(f"SRC/PRCC need at least {kv + 2} samples for {kv} varying inputs, got {n}")
    out = {key: np.full(k, np.nan) for key in ("SRC", "SRC_conf", "SRC_low", "SRC_high",
                                              "PRCC", "PRCC_conf", "PRCC_low", "PRCC_high")}
    out.update(R2=np.nan, R2_conf=np.nan, R2_low=np.nan, R2_high=np.nan, constant=bool(np.ptp(y) == 0))
    if out["constant"]:
        return out
    xv = x[:, varying]
    src, r2, prcc = _src_prcc_safe(xv, y)
    out["SRC"][varying], out["PRCC"][varying], out["R2"] = src, prcc, float(r2)
    rng = np.random.default_rng(seed)
    boot = {"SRC": [], "PRCC": [], "R2": []}
    for size in _chunks(int(bootstrap), n * (kv + 1) * 3):
        index = rng.integers(0, n, size=(size, n))
        src_b, r2_b, prcc_b = _src_prcc_safe(xv[index], y[index])
        boot["SRC"].append(src_b)
        boot["PRCC"].append(prcc_b)
        boot["R2"].append(np.atleast_1d(r2_b))
    for name in ("SRC", "PRCC"):
        estimates = np.concatenate(boot[name]) if boot[name] else np.empty((0, kv))
        conf, low, high = _summarize(estimates, confidence, kv)
        out[name + "_conf"][varying], out[name + "_low"][varying], out[name + "_high"][varying] = conf, low, high
    conf, low, high = _summarize(np.concatenate(boot["R2"]) if boot["R2"] else np.empty(0), confidence, 1)
    out["R2_conf"], out["R2_low"], out["R2_high"] = float(conf[0]), float(low[0]), float(high[0])
    return out


# --------------------------------------------------------------------------- analysis of a sweep

@dataclasses.dataclass
class Result:
    output: Output
    method: str
    names: list
    values: dict              # index name -> array (k,)
    conf: dict                # index name -> array (k,), for those with intervals
    low: dict
    high: dict
    scalars: dict             # e.g. "R2" -> (value, conf, low, high)
    counts: dict              # e.g. "n_effects" -> array (k,)
    used: int
    total: int
    unit: str                 # what `used` counts
    dropped: dict             # reason -> count
    notes: list


def resolve_method(design, method="auto"):
    if method == "auto":
        return METHODS[design]
    if method == "sobol" and design != "sobol":
        raise SensitivityError(f"Sobol indices need a sobol (Saltelli) design; this sweep's design is {design} "
                               f"(use --method regression for SRC/PRCC)")
    if method == "morris" and design != "grid":
        raise SensitivityError(f"elementary effects need a grid design; this sweep's design is {design}")
    if method not in ("sobol", "morris", "regression"):
        raise SensitivityError(f"unknown method '{method}'")
    return method


def analyze(sweep, method="auto", bootstrap=1000, confidence=0.95, seed=0):
    """One Result per output of the sweep. Raises SensitivityError."""
    try:
        method = resolve_method(sweep.design, method)
    except SensitivityError as error:
        raise SensitivityError(f"{sweep.path}: {error}")
    if method == "sobol":
        x = sweep.matrix()
        problem = saltelli_layout_error(x)
        if problem:
            raise SensitivityError(f"{sweep.path}: the members do not follow the Saltelli order of a sobol "
                                   f"design: {problem}")
        base = sweep.attrs.get("base_samples")
        blocks = sweep.members // (len(sweep.parameters) + 2)
        if base is not None and int(base) != blocks:
            raise SensitivityError(f"{sweep.path}: base_samples is {int(base)} but {sweep.members} members make "
                                   f"{blocks} blocks of k + 2 = {len(sweep.parameters) + 2}")
    analyzers = {"sobol": _analyze_sobol, "morris": _analyze_morris, "regression": _analyze_regression}
    return [analyzers[method](sweep, output, bootstrap, confidence, seed) for output in sweep.outputs.values()]


def _dropped_members(sweep, output, members):
    """Counts, among `members` (a boolean mask), of why they are unusable."""
    status = sweep.status
    return {"failed": int(np.sum(members & (status == 2))),
            "not run": int(np.sum(members & (status == 0))),
            "other status": int(np.sum(members & (status != 0) & (status != 1) & (status != 2))),
            "NaN output": int(np.sum(members & (status == STATUS_OK) & ~np.isfinite(output.values)))}


def _usable(sweep, output):
    return (sweep.status == STATUS_OK) & np.isfinite(output.values)


def _too_few(sweep, output, what):
    return SensitivityError(f"{sweep.path}: too few valid samples for {output.name}: {what}")


def _analyze_sobol(sweep, output, bootstrap, confidence, seed):
    k = len(sweep.parameters)
    n = sweep.members // (k + 2)
    usable = _usable(sweep, output).reshape(n, k + 2)
    keep = usable.all(axis=1)
    # A dropped block is counted once, under the first reason among its members.
    dropped = {}
    for j in np.nonzero(~keep)[0]:
        members = np.zeros(sweep.members, dtype=bool)
        members[j * (k + 2):(j + 1) * (k + 2)] = True
        reasons = _dropped_members(sweep, output, members)
        reason = next(r for r, count in reasons.items() if count)
        dropped[reason] = dropped.get(reason, 0) + 1
    used = int(keep.sum())
    if used < 2:
        raise _too_few(sweep, output, f"{used} of {n} base samples have every member of their block run and "
                                      f"finite (Sobol indices need at least 2)")
    y = output.values.reshape(n, k + 2)[keep]
    r = sobol_indices(y[:, 0], y[:, k + 1], y[:, 1:k + 1], bootstrap, confidence, seed)
    notes = []
    if r["constant"]:
        notes.append(f"{output.name} does not vary across the sweep: its indices are undefined")
    return Result(output=output, method="sobol", names=sweep.names,
                  values={"S1": r["S1"], "ST": r["ST"]},
                  conf={"S1": r["S1_conf"], "ST": r["ST_conf"]},
                  low={"S1": r["S1_low"], "ST": r["ST_low"]}, high={"S1": r["S1_high"], "ST": r["ST_high"]},
                  scalars={}, counts={}, used=used, total=n, unit="base samples", dropped=dropped, notes=notes)


def _analyze_morris(sweep, output, bootstrap, confidence, seed):
    usable = _usable(sweep, output)
    y = np.where(usable, output.values, np.nan)
    try:
        r = elementary_effects(sweep.matrix(), y, [p.log_scale for p in sweep.parameters],
                               bootstrap, confidence, seed)
    except ValueError as error:
        raise SensitivityError(f"{sweep.path}: {error}")
    if r["n_effects"].sum() == 0:
        raise _too_few(sweep, output, f"{int(usable.sum())} of {sweep.members} members are run and finite, "
                                      f"which leaves no pair of adjacent grid points")
    notes = []
    for p, parameter in enumerate(sweep.parameters):
        if r["n_effects"][p] == 0:
            single = np.unique(parameter.values).size < 2
            notes.append(f"{parameter.name}: " + ("a single level, no elementary effect" if single else
                                                  "no elementary effect between valid members"))
    logs = [p.name for p in sweep.parameters if p.log_scale]
    if logs:
        notes.append(f"steps of {', '.join(logs)} (log_uniform) are fractions of the log10 range")
    dropped = _dropped_members(sweep, output, ~usable)
    return Result(output=output, method="morris", names=sweep.names,
                  values={"mu": r["mu"], "mu_star": r["mu_star"], "sigma": r["sigma"]},
                  conf={"mu_star": r["mu_star_conf"]}, low={"mu_star": r["mu_star_low"]},
                  high={"mu_star": r["mu_star_high"]}, scalars={},
                  counts={"n_effects": r["n_effects"], "n_missing": r["n_missing"]},
                  used=int(usable.sum()), total=sweep.members, unit="members",
                  dropped={k: v for k, v in dropped.items() if v}, notes=notes)


def _analyze_regression(sweep, output, bootstrap, confidence, seed):
    usable = _usable(sweep, output)
    x = sweep.matrix(log_scale=True)[usable]
    y = output.values[usable]
    k = len(sweep.parameters)
    if usable.sum() < k + 2:
        raise _too_few(sweep, output, f"{int(usable.sum())} of {sweep.members} members are run and finite "
                                      f"(SRC/PRCC need at least k + 2 = {k + 2})")
    try:
        r = src_prcc(x, y, bootstrap, confidence, seed)
    except ValueError as error:
        raise _too_few(sweep, output, str(error))
    notes = []
    if r["constant"]:
        notes.append(f"{output.name} does not vary across the sweep: its coefficients are undefined")
    constant = [p.name for p, values in zip(sweep.parameters, x.T) if np.ptp(values) == 0]
    if constant:
        notes.append(f"{', '.join(constant)}: constant over the valid members, no coefficient")
    logs = [p.name for p in sweep.parameters if p.log_scale]
    if logs:
        notes.append(f"{', '.join(logs)} (log_uniform) enter the regression as log10")
    if sweep.design != "latin_hypercube":
        notes.append(f"SRC/PRCC computed on the members of a {sweep.design} design")
    dropped = _dropped_members(sweep, output, ~usable)
    return Result(output=output, method="regression", names=sweep.names,
                  values={"SRC": r["SRC"], "PRCC": r["PRCC"]},
                  conf={"SRC": r["SRC_conf"], "PRCC": r["PRCC_conf"]},
                  low={"SRC": r["SRC_low"], "PRCC": r["PRCC_low"]},
                  high={"SRC": r["SRC_high"], "PRCC": r["PRCC_high"]},
                  scalars={"R2": (r["R2"], r["R2_conf"], r["R2_low"], r["R2_high"])}, counts={},
                  used=int(usable.sum()), total=sweep.members, unit="members",
                  dropped={k: v for k, v in dropped.items() if v}, notes=notes)


# --------------------------------------------------------------------------- reports

def _number(value, digits=4):
    if value is None or not np.isfinite(value):
        return "n/a"
    if digits is None:
        return f"{value:.4g}"
    return f"{value:.{digits}f}"


def _interval(low, high, digits=4):
    if not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    return f"{_number(low, digits)} .. {_number(high, digits)}"


def _table(header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join(["  " + line(header), "  " + "  ".join("-" * w for w in widths)]
                     + ["  " + line(r) for r in rows])


def describe_sweep(sweep):
    k = len(sweep.parameters)
    if sweep.design == "sobol" and sweep.members % (k + 2) == 0:
        size = f"{sweep.members // (k + 2)} base samples x (k + 2) = {sweep.members} members"
    else:
        size = f"{sweep.members} members"
    return (f"Sweep {sweep.path}: design {sweep.design}, {k} parameter(s) ({', '.join(sweep.names)}), "
            f"{size}, {sweep.replicates} replicate(s), seed {sweep.attrs.get('seed', 'n/a')}")


def _dropped_text(result):
    if not result.dropped:
        return "none dropped"
    what = ", ".join(f"{count} {reason}" for reason, count in result.dropped.items())
    if result.method == "sobol":
        return f"{result.total - result.used} block(s) dropped ({what})"
    return f"{sum(result.dropped.values())} member(s) dropped ({what})"


def report_text(sweep, results, bootstrap, confidence, seed):
    level = f"{100 * confidence:g}%"
    method = results[0].method if results else METHODS[sweep.design]
    resampled = {"sobol": "base samples (A, AB, B blocks kept together)", "morris": "elementary effects",
                 "regression": "members"}[method]
    out = [describe_sweep(sweep), METHOD_TITLES[method],
           f"conf = z * bootstrap standard deviation (SALib), interval = {level} percentile interval; "
           f"{bootstrap} bootstrap resamples of the {resampled}, seed {seed}"]
    out.extend(f"Note: {n}" for n in sweep.notes)
    for r in results:
        o = r.output
        out.append("")
        out.append(f"{o.name}" + (f" ({o.long_name})" if o.long_name and o.long_name != o.name else "")
                   + (f" [{o.units}]" if o.units else "") + f": {o.reduction}")
        line = f"  {r.used} of {r.total} {r.unit} used; {_dropped_text(r)}"
        if np.isfinite(o.noise_share):
            line += f"; replicate noise is {100 * o.noise_share:.1f}% of the variance of the member means"
        out.append(line)
        if r.method == "sobol":
            header = ["parameter", "S1", "S1_conf", f"S1 {level}", "ST", "ST_conf", f"ST {level}"]
            rows = [[name, _number(r.values["S1"][p]), _number(r.conf["S1"][p]),
                     _interval(r.low["S1"][p], r.high["S1"][p]), _number(r.values["ST"][p]),
                     _number(r.conf["ST"][p]), _interval(r.low["ST"][p], r.high["ST"][p])]
                    for p, name in enumerate(r.names)]
        elif r.method == "morris":
            header = ["parameter", "mu", "mu*", "mu*_conf", f"mu* {level}", "sigma", "effects"]
            rows = [[name, _number(r.values["mu"][p], None), _number(r.values["mu_star"][p], None),
                     _number(r.conf["mu_star"][p], None),
                     _interval(r.low["mu_star"][p], r.high["mu_star"][p], None),
                     _number(r.values["sigma"][p], None), str(int(r.counts["n_effects"][p]))]
                    for p, name in enumerate(r.names)]
        else:
            header = ["parameter", "SRC", "SRC_conf", f"SRC {level}", "PRCC", "PRCC_conf", f"PRCC {level}"]
            rows = [[name, _number(r.values["SRC"][p]), _number(r.conf["SRC"][p]),
                     _interval(r.low["SRC"][p], r.high["SRC"][p]), _number(r.values["PRCC"][p]),
                     _number(r.conf["PRCC"][p]), _interval(r.low["PRCC"][p], r.high["PRCC"][p])]
                    for p, name in enumerate(r.names)]
        out.append(_table(header, rows))
        if "R2" in r.scalars:
            value, conf, low, high = r.scalars["R2"]
            out.append(f"  R^2 of the linear fit: {_number(value)} ({level}: {_interval(low, high)})"
                       + ("; below 0.7 the SRC explain little of the output (PRCC capture monotonic effects, "
                          "not non-monotonic ones)" if value < 0.7 else ""))
        out.extend(f"  note: {n}" for n in r.notes)
    return "\n".join(out)


def tidy(results):
    """Long table: output, parameter, method, index, value, conf, low, high."""
    import pandas as pd

    rows = []
    for r in results:
        for index, values in r.values.items():
            for p, name in enumerate(r.names):
                conf = r.conf.get(index)
                rows.append((r.output.name, name, r.method, index, float(values[p]),
                             float(conf[p]) if conf is not None else np.nan,
                             float(r.low[index][p]) if index in r.low else np.nan,
                             float(r.high[index][p]) if index in r.high else np.nan))
        for index, (value, conf, low, high) in r.scalars.items():
            rows.append((r.output.name, "", r.method, index, value, conf, low, high))
    return pd.DataFrame(rows, columns=["output", "parameter", "method", "index", "value", "conf", "low", "high"])


def _json_value(value):
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(v) for v in value]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    return value


def result_dict(r):
    """A SALib-compatible dict: names and, per index, the values and `<index>_conf`
    (sobol: S1, ST; morris: mu, mu_star, sigma, mu_star_conf; regression: SRC, PRCC),
    plus the percentile bounds and bookkeeping."""
    d = {"names": list(r.names), "method": r.method}
    for index, values in r.values.items():
        d[index] = values
        if index in r.conf:
            d[index + "_conf"] = r.conf[index]
            d[index + "_low"] = r.low[index]
            d[index + "_high"] = r.high[index]
    for index, (value, conf, low, high) in r.scalars.items():
        d.update({index: value, index + "_conf": conf, index + "_low": low, index + "_high": high})
    d.update(r.counts)
    d.update(long_name=r.output.long_name, units=r.output.units, reduction=r.output.reduction,
             replicate_noise_share=r.output.noise_share, samples_used=r.used, samples_total=r.total,
             samples_unit=r.unit, samples_dropped=r.total - r.used if r.method == "sobol" else
             sum(r.dropped.values()), dropped=r.dropped, notes=r.notes)
    return _json_value(d)


def report_json(sweep, results, bootstrap, confidence, seed, time_reduce):
    return _json_value({
        "file": sweep.path, "design": sweep.design, "method": results[0].method if results else None,
        "members": sweep.members, "replicates": sweep.replicates, "seed": sweep.attrs.get("seed"),
        "bootstrap": bootstrap, "confidence": confidence, "bootstrap_seed": seed, "time_reduce": time_reduce,
        "parameters": [{"name": p.name, "key_path": p.key_path, "distribution": p.distribution,
                        "lower": p.lower, "upper": p.upper, "units": p.units, "long_name": p.long_name}
                       for p in sweep.parameters],
        "notes": sweep.notes,
        "outputs": {r.output.name: result_dict(r) for r in results},
    })


PLOTTED = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma"), "regression": ("SRC", "PRCC")}


def write_plots(results, directory, confidence):
    """One PNG per output: horizontal bars per parameter with percentile error bars."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    paths = []
    for r in results:
        names = r.names
        k = len(names)
        indices = PLOTTED[r.method]
        fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.45 * k * len(indices) / 1.5), dpi=100)
        height = 0.8 / len(indices)
        positions = np.arange(k)[::-1]
        for i, index in enumerate(indices):
            values = np.asarray(r.values[index], dtype=float)
            y = positions + 0.4 - height * (i + 0.5)
            xerr = None
            if index in r.low:
                low, high = np.asarray(r.low[index]), np.asarray(r.high[index])
                xerr = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
                xerr = np.where(np.isfinite(xerr), xerr, 0)
            ax.barh(y, np.where(np.isfinite(values), values, 0), height=height * 0.9,
                    color=colors[i % len(colors)], label=index.replace("mu_star", "mu*"),
                    xerr=xerr, capsize=3, error_kw={"linewidth": 1})
        ax.set_yticks(positions)
        ax.set_yticklabels(names, fontsize=8)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.grid(True, axis="x", alpha=0.3)
        unit = f" [{r.output.units}]" if r.method == "morris" and r.output.units else ""
        ax.set_xlabel({"sobol": "Sobol index", "morris": f"elementary effect per unit range{unit}",
                       "regression": "coefficient"}[r.method])
        ax.set_title(f"{r.output.name}: {r.method} ({100 * confidence:g}% bootstrap intervals)", fontsize=10)
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        path = directory / f"{r.output.name}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def write_salib(sweep, directory):
    """problem.json, X.txt and Y_<output>.txt for SALib. For a sobol design, only whole
    blocks valid for every output are written, so that
    SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False) reads them as they are;
    for other designs, the members valid for every output."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    usable = sweep.status == STATUS_OK
    for output in sweep.outputs.values():
        usable &= np.isfinite(output.values)
    k = len(sweep.parameters)
    if sweep.design == "sobol" and sweep.members % (k + 2) == 0:
        usable = np.repeat(usable.reshape(-1, k + 2).all(axis=1), k + 2)
    bounds = []
    for p in sweep.parameters:
        lower, upper = p.lower, p.upper
        bounds.append([float(lower), float(upper)])
    problem = {"num_vars": k, "names": sweep.names, "bounds": bounds}
    (directory / "problem.json").write_text(json.dumps(problem, indent=2) + "\n", encoding="utf-8")
    paths = [directory / "problem.json"]
    np.savetxt(directory / "X.txt", sweep.matrix()[usable])
    paths.append(directory / "X.txt")
    np.savetxt(directory / "members.txt", np.nonzero(usable)[0], fmt="%d")
    paths.append(directory / "members.txt")
    for name, output in sweep.outputs.items():
        path = directory / f"Y_{name}.txt"
        np.savetxt(path, output.values[usable])
        paths.append(path)
    return paths, int(usable.sum())


# --------------------------------------------------------------------------- CLI

def _probability(text):
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not strictly between 0 and 1")
    return value


def _count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[7:]))
    parser.add_argument("file", metavar="SWEEP.h5", help="a sweep file written by `migrasim sweep`")
    parser.add_argument("--output", action="append", metavar="NAME",
                        help="an output to analyse (repeatable; default: every kept output)")
    parser.add_argument("--bootstrap", type=_count, default=1000, metavar="N",
                        help="bootstrap resamples for the intervals (default 1000; 0: none)")
    parser.add_argument("--confidence", type=_probability, default=0.95, help="interval level (default 0.95)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    parser.add_argument("--time-reduce", choices=TIME_REDUCTIONS, default="sum",
                        help="for outputs kept with a time axis: sum (default), mean or last value over "
                             "time, per replicate, before the replicate mean")
    parser.add_argument("--method", choices=("auto", "sobol", "morris", "regression"), default="auto",
                        help="auto (default): sobol for a sobol design, morris for a grid, regression "
                             "(SRC/PRCC) for a Latin hypercube; regression works on any design")
    parser.add_argument("--plot", metavar="DIR", help="write one bar plot (PNG) per output into DIR")
    parser.add_argument("--csv", metavar="FILE", help="write a long table (output, parameter, method, index, "
                                                      "value, conf, low, high)")
    parser.add_argument("--json", metavar="FILE", help="write the indices as JSON, a SALib-style dict per output")
    parser.add_argument("--salib", metavar="DIR", help="write problem.json, X.txt and Y_<output>.txt for SALib")
    args = parser.parse_args(argv)
    try:
        sweep = load_sweep(args.file, args.output, args.time_reduce)
        results = analyze(sweep, args.method, args.bootstrap, args.confidence, args.seed)
    except SensitivityError as error:
        print(f"sensitivity.py: error: {error}", file=sys.stderr)
        return 2
    print(report_text(sweep, results, args.bootstrap, args.confidence, args.seed))
    if args.csv:
        tidy(results).to_csv(args.csv, index=False, na_rep="")
        print(f"\nwrote {args.csv}")
    if args.json:
        data = report_json(sweep, results, args.bootstrap, args.confidence, args.seed, args.time_reduce)
        pathlib.Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(args.json).write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    if args.plot:
        for path in write_plots(results, args.plot, args.confidence):
            print(f"wrote {path}")
    if args.salib:
        paths, rows = write_salib(sweep, args.salib)
        print(f"wrote {', '.join(str(p) for p in paths)} ({rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
