"""Reading migrasim run and sweep files and their attributes.

Whatever the files say about themselves (which values a status flag takes and
what they mean, whether a series is a flow or a stock, its units) is read from
their attributes here and in `migrasim.windows`, never copied into the code.
An attribute that is missing is reported with a MissingAttributeWarning, naming
the attribute and the fallback taken.
"""
import contextlib
import os
import sys
import warnings

import numpy as np


class MissingAttributeWarning(UserWarning):
    """A file lacks an attribute the analysis reads; a fallback was used."""


def warn_missing(message):
    warnings.warn(message, MissingAttributeWarning, stacklevel=3)


@contextlib.contextmanager
def plain_warnings(program):
    """Within the block, MissingAttributeWarnings print as `program: warning: ...`
    lines on standard error, once per message, for the command lines."""
    shown = set()

    def show(message, category, filename, lineno, file=None, line=None):
        if category is MissingAttributeWarning and str(message) not in shown:
            shown.add(str(message))
            print(f"{program}: warning: {message}", file=sys.stderr)
        elif category is not MissingAttributeWarning:
            default_show(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        default_show = warnings.showwarning
        warnings.simplefilter("always", MissingAttributeWarning)
        warnings.showwarning = show
        yield


def attribute_value(value):
    """An HDF5 attribute as a plain Python value: bytes decoded, 1-element arrays and numpy scalars unwrapped."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def attributes(attrs):
    """A mapping of HDF5 attributes as a dict of plain values."""
    return {key: attribute_value(value) for key, value in attrs.items()}


def open_run(path):
    """A run file as an xarray Dataset (no options needed; this is a convenience)."""
    import xarray as xr

    return xr.open_dataset(path)


def open_sweep(path):
    """A sweep file as an xarray Dataset. Parameters and outputs may carry units
    such as "days", which xarray would otherwise turn into timedeltas."""
    import xarray as xr

    return xr.open_dataset(path, decode_timedelta=False)


def open_checked(path, what, error):
    """A "run" or "sweep" file as an xarray Dataset, or the exception class `error`
    raised with a message that names the file: missing, a directory, unreadable."""
    path = str(path)
    if not os.path.exists(path):
        raise error(f"{path}: no such file")
    if os.path.isdir(path):
        raise error(f"{path}: is a directory, not a {what} file")
    try:
        return {"run": open_run, "sweep": open_sweep}[what](path)
    except Exception as problem:  # noqa: BLE001 - any reader failure means "not a run/sweep file"
        raise error(f"{path}: not a readable netCDF-4/HDF5 {what} file ({type(problem).__name__}: {problem})")


def flag_meanings(variable, name):
    """{value: meaning} of a CF flag variable, from its flag_values and flag_meanings.

    Raises ValueError without flag_meanings (nothing says what the values mean) or
    when the two attributes differ in length. Without flag_values, the meanings
    are taken to be those of 0, 1, 2, ... in order, with a MissingAttributeWarning.
    """
    meanings = str(attribute_value(variable.attrs.get("flag_meanings", ""))).split()
    if not meanings:
        raise ValueError(f"{name} has no flag_meanings attribute: what its values mean is unknown")
    values = variable.attrs.get("flag_values")
    if values is None:
        values = list(range(len(meanings)))
        warn_missing(f"{name} has flag_meanings but no flag_values attribute; taking "
                     + ", ".join(f"{v} = {m}" for v, m in zip(values, meanings))
                     + " from the order of flag_meanings")
    values = np.atleast_1d(np.asarray(values)).tolist()
    if len(values) != len(meanings):
        raise ValueError(f"{name} has {len(values)} flag_values but {len(meanings)} flag_meanings")
    return dict(zip(values, meanings))
