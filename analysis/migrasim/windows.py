"""Date windows, fiscal years and reductions over time.

A series is reduced over a span of steps as its CF `cell_methods` attribute
says: a flow ("time: sum", events during each step) is summed, a stock
("time: point", a value at the end of each step) is read at the last step.
REDUCTIONS below is the one place that rule is written.
"""
import argparse
import datetime as dt

import numpy as np
import pandas as pd

from migrasim.io import attribute_value, warn_missing

REDUCTIONS = {"time: sum": "sum", "time: point": "last"}
# What a reduction over time may be asked to do; "sum" and "last" are those of REDUCTIONS.
TIME_REDUCTIONS = ("sum", "mean", "last")
# Without cell_methods a series is read as a stock: its last value is a value the
# file holds, where a sum of a stock would be a number that means nothing.
FALLBACK = "last"


def time_reduction(name, attrs):
    """How a series is reduced over time: "sum" for a flow, "last" for a stock, from
    the cell_methods in `attrs` (a variable's attributes). Anything else warns and
    falls back to "last"."""
    cell = attrs.get("cell_methods")
    how = REDUCTIONS.get(str(attribute_value(cell)).strip()) if cell is not None else None
    if how is None:
        what = "no cell_methods attribute" if cell is None else f"cell_methods {attribute_value(cell)!r}"
        known = " or ".join(repr(k) for k in REDUCTIONS)
        warn_missing(f"{name} has {what} (expected {known}): read as a stock, its last value in a window")
        return FALLBACK
    return how


def is_flow(variable, name=None):
    """True for a flow (summed over time), from the variable's cell_methods."""
    return time_reduction(name or getattr(variable, "name", "series"), variable.attrs) == "sum"


def reduce_time(values, how, axis=-1):
    """Values reduced over the time axis: "sum", "mean" or "last" (NaN propagates)."""
    values = np.asarray(values, dtype=float)
    if how == "sum":
        return values.sum(axis=axis)
    if how == "mean":
        return values.mean(axis=axis)
    if how == "last":
        return np.take(values, -1, axis=axis)
    raise ValueError(f"unknown reduction over time '{how}' (use {', '.join(TIME_REDUCTIONS)})")


def reduce_groups(groups, how):
    """A pandas or xarray resample/groupby over time reduced per group as `reduce_time` would."""
    if how not in TIME_REDUCTIONS:
        raise ValueError(f"unknown reduction over time '{how}' (use {', '.join(TIME_REDUCTIONS)})")
    return getattr(groups, how)()


def summed_units(units, how):
    """The units of a series reduced over time: a sum of "X per step" is in X."""
    suffix = " per step"
    if how == "sum" and units.endswith(suffix):
        return units[: -len(suffix)]
    return units


def window_totals(ds, start=None, end=None):
    """Per replicate: each scalar series (dims replicate, time) reduced over the
    steps in [start, end] by its cell_methods: flows summed, stocks at the last step.

    Returns a dict name -> numpy array over replicates.
    """
    window = ds.sel(time=slice(start, end))
    if window.sizes["time"] == 0:
        raise ValueError(f"no time steps between {start} and {end}")
    totals = {}
    for name, var in window.data_vars.items():
        if var.dims != ("replicate", "time"):
            continue
        totals[name] = reduce_time(var.values, time_reduction(name, var.attrs), axis=1)
    return totals


def day(value):
    """A date from a numpy datetime64, a pandas Timestamp or a date."""
    return value if isinstance(value, dt.date) else pd.Timestamp(value).to_pydatetime().date()


def parse_date(text):
    """A YYYY-MM-DD date, for argparse."""
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)")


def year_window(kind, year):
    """(first day, last day) as YYYY-MM-DD of a US fiscal year (kind "fiscal":
    FY2023 is 2022-10-01 .. 2023-09-30) or of a calendar year."""
    if kind == "fiscal":
        return f"{year - 1}-10-01", f"{year}-09-30"
    return f"{year}-01-01", f"{year}-12-31"


def window_dates(window):
    """(first day, last day) as YYYY-MM-DD of a window, in the vocabulary the
    simulator's summaries and the calibration targets share:

        {"year": 2022}                             calendar year
        {"fiscal_year": 2023, "first_month": 10}   fiscal year named by the year it ends in
                                                   (first_month 10: the US FY, 2022-10-01 .. 2023-09-30;
                                                   first_month 1 is the calendar year)
        {"month": "2023-05"}                       one calendar month
        {"start": "2022-01-01", "end": "2022-06-30"}   explicit dates, both included
    """
    if not isinstance(window, dict):
        raise ValueError(f"a window is a dict (year, fiscal_year, month, or start and end), not {window!r}")
    keys = set(window)
    if keys == {"year"}:
        return year_window("calendar", int(window["year"]))
    if keys in ({"fiscal_year"}, {"fiscal_year", "first_month"}):
        year, first = int(window["fiscal_year"]), int(window.get("first_month", 10))
        if not 1 <= first <= 12:
            raise ValueError(f"first_month {first} is not a month (1-12)")
        if first == 1:
            return year_window("calendar", year)
        last_day = (pd.Timestamp(year=year, month=first, day=1) - pd.Timedelta(days=1)).date()
        return f"{year - 1}-{first:02d}-01", last_day.isoformat()
    if keys == {"month"}:
        month = pd.Period(str(window["month"]), freq="M")
        return month.start_time.date().isoformat(), month.end_time.date().isoformat()
    if keys == {"start", "end"}:
        start, end = (pd.Timestamp(str(window[k])).date() for k in ("start", "end"))
        if end < start:
            raise ValueError(f"window ends ({end}) before it starts ({start})")
        return start.isoformat(), end.isoformat()
    raise ValueError(f"unknown window {window!r}: use year, fiscal_year (and first_month), "
                     "month, or start and end")


def window_steps(times, window):
    """The slice of steps whose start (`times`, numpy datetime64) falls within
    `window` (window_dates), as ds.sel(time=slice(first, last)) selects them:
    every step starting on the last day is included. Raises ValueError for a
    window with no step."""
    first, last = window_dates(window)
    times = np.asarray(times, dtype="datetime64[ns]")
    lo = np.datetime64(first, "ns")
    hi = np.datetime64(last, "ns") + np.timedelta64(1, "D")
    inside = np.flatnonzero((times >= lo) & (times < hi))
    if inside.size == 0:
        raise ValueError(f"no time steps between {first} and {last}")
    return slice(int(inside[0]), int(inside[-1]) + 1)
