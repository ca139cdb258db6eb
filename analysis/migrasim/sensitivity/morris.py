"""Morris-style elementary effects on a full factorial grid."""
import numpy as np

from migrasim.sensitivity.bootstrap import check_bootstrap, chunks, summarize


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
    check_bootstrap(bootstrap, confidence)
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
        for size in chunks(int(bootstrap), used.size):
            boot.append(absolute[rng.integers(0, used.size, size=(size, used.size))].mean(axis=1))
        conf, low, high = summarize(np.concatenate(boot) if boot else np.empty(0), confidence, 1)
        out["mu_star_conf"][p], out["mu_star_low"][p], out["mu_star_high"][p] = conf[0], low[0], high[0]
    return out

