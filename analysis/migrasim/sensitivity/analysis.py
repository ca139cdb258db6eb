"""The indices of each output of a sweep, by the method its design supports."""
import collections
import dataclasses

import numpy as np

from migrasim.sensitivity.morris import elementary_effects
from migrasim.sensitivity.regression import src_prcc
from migrasim.sensitivity.sobol import saltelli_layout_error, sobol_indices
from migrasim.sensitivity.sweep import Output, SensitivityError

METHODS = {"sobol": "sobol", "grid": "morris", "latin_hypercube": "regression"}


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


def _reasons(sweep, output):
    """Per member, why it is unusable for this output, "" if it is usable: the
    meaning of its status ("not run", "failed", as the file's flag_meanings say),
    or "NaN output" for a finished member without a value."""
    reasons = np.array([str(status).replace("_", " ") for status in sweep.status], dtype=object)
    reasons[sweep.finished] = ""
    reasons[sweep.finished & ~np.isfinite(output.values)] = "NaN output"
    return reasons


def _dropped_members(sweep, output, members):
    """Counts, among `members` (a boolean mask), of why they are unusable."""
    return dict(collections.Counter(reason for reason in _reasons(sweep, output)[members] if reason))


def _usable(sweep, output):
    return sweep.finished & np.isfinite(output.values)


def _too_few(sweep, output, what):
    return SensitivityError(f"{sweep.path}: too few valid samples for {output.name}: {what}")


def _analyze_sobol(sweep, output, bootstrap, confidence, seed):
    k = len(sweep.parameters)
    n = sweep.members // (k + 2)
    usable = _usable(sweep, output).reshape(n, k + 2)
    keep = usable.all(axis=1)
    # A dropped block is counted once, under the reason of its first unusable member.
    reasons = _reasons(sweep, output).reshape(n, k + 2)
    dropped = dict(collections.Counter(next(r for r in reasons[j] if r) for j in np.nonzero(~keep)[0]))
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
                  dropped=dropped, notes=notes)


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
                  dropped=dropped, notes=notes)

