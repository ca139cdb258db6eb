"""First- and total-order Sobol indices from a Saltelli design."""
import numpy as np

from migrasim.sensitivity.bootstrap import check_bootstrap, chunks, summarize


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
    check_bootstrap(bootstrap, confidence)
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
    for size in chunks(int(bootstrap), n * (k + 2)):
        index = rng.integers(0, n, size=(size, n))
        s1_b, st_b = _sobol_estimates(a[index], b[index], ab[index])
        boot_s1.append(s1_b)
        boot_st.append(st_b)
    for name, boot in (("S1", boot_s1), ("ST", boot_st)):
        conf, low, high = summarize(np.concatenate(boot) if boot else np.empty((0, k)), confidence, k)
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

