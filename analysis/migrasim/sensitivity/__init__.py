"""Sensitivity indices from a migrasim sweep file: Sobol indices for a sobol
(Saltelli) design, elementary effects for a grid, SRC/PRCC for any design, with
bootstrap intervals.

    from migrasim import sensitivity
    sweep = sensitivity.load_sweep("out/grid_small.h5")
    results = sensitivity.analyze(sweep, bootstrap=500)

The estimators also work on plain arrays: sobol_indices, elementary_effects and
src_prcc. The command line is `python3 -m migrasim.sensitivity --help` (see
migrasim.sensitivity.cli).
"""
from migrasim.sensitivity.analysis import METHODS, Result, analyze, resolve_method
from migrasim.sensitivity.cli import main
from migrasim.sensitivity.export import PLOTTED, write_plots, write_salib
from migrasim.sensitivity.morris import elementary_effects, grid_levels
from migrasim.sensitivity.regression import src_prcc
from migrasim.sensitivity.report import (METHOD_TITLES, describe_sweep, report_json, report_text, result_dict,
                                         tidy)
from migrasim.sensitivity.sobol import saltelli_layout_error, sobol_indices
from migrasim.sensitivity.sweep import (DESIGNS, FINISHED, TIME_REDUCE_CHOICES, Output, Parameter,
                                        SensitivityError, Sweep, load_sweep, noise_share)

__all__ = ["DESIGNS", "FINISHED", "METHODS", "METHOD_TITLES", "PLOTTED", "TIME_REDUCE_CHOICES", "Output",
           "Parameter", "Result", "SensitivityError", "Sweep", "analyze", "describe_sweep", "elementary_effects",
           "grid_levels", "load_sweep", "main", "noise_share", "report_json", "report_text", "resolve_method",
           "result_dict", "saltelli_layout_error", "sobol_indices", "src_prcc", "tidy", "write_plots",
           "write_salib"]
