"""Standardized regression coefficients and partial rank correlation coefficients."""
import numpy as np

from migrasim.sensitivity.bootstrap import check_bootstrap, chunks, summarize


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
    check_bootstrap(bootstrap, confidence)
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
    for size in chunks(int(bootstrap), n * (kv + 1) * 3):
        index = rng.integers(0, n, size=(size, n))
        src_b, r2_b, prcc_b = _src_prcc_safe(xv[index], y[index])
        boot["SRC"].append(src_b)
        boot["PRCC"].append(prcc_b)
        boot["R2"].append(np.atleast_1d(r2_b))
    for name in ("SRC", "PRCC"):
        estimates = np.concatenate(boot[name]) if boot[name] else np.empty((0, kv))
        conf, low, high = summarize(estimates, confidence, kv)
        out[name + "_conf"][varying], out[name + "_low"][varying], out[name + "_high"][varying] = conf, low, high
    conf, low, high = summarize(np.concatenate(boot["R2"]) if boot["R2"] else np.empty(0), confidence, 1)
    out["R2_conf"], out["R2_low"], out["R2_high"] = float(conf[0]), float(low[0]), float(high[0])
    return out

