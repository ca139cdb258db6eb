"""Bootstrap helpers shared by the estimators."""
import contextlib
import warnings

import numpy as np

# Bootstrap resamples are drawn in chunks of about this many values, to bound memory.
CHUNK_VALUES = 4_000_000


def z_value(confidence):
    """The standard normal quantile of a two-sided interval at this confidence."""
    from scipy.stats import norm
    return float(norm.ppf(0.5 + confidence / 2.0))


def check_bootstrap(bootstrap, confidence):
    if int(bootstrap) < 0:
        raise ValueError("bootstrap must be >= 0")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")


def summarize(estimates, confidence, width):
    """conf (z * bootstrap standard deviation), low and high (percentile interval) from
    bootstrap estimates (resamples x width); NaN without resamples."""
    estimates = np.asarray(estimates, dtype=float).reshape(-1, width)
    nan = np.full(width, np.nan)
    if estimates.shape[0] < 2:
        return nan, nan.copy(), nan.copy()
    with np.errstate(invalid="ignore"), quiet():
        conf = z_value(confidence) * np.nanstd(estimates, axis=0, ddof=1)
        low, high = np.nanpercentile(estimates, [50.0 * (1.0 - confidence), 50.0 * (1.0 + confidence)], axis=0)
    return conf, low, high


@contextlib.contextmanager
def quiet():
    """Silences numpy's 'all-NaN slice' and 'degrees of freedom' warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def chunks(bootstrap, values_per_resample):
    """Sizes of the batches of resamples, adding up to `bootstrap`."""
    size = max(1, CHUNK_VALUES // max(1, values_per_resample))
    done = 0
    while done < bootstrap:
        step = min(size, bootstrap - done)
        yield step
        done += step
