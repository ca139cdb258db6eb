"""Scenario runs compared against a baseline: outcomes over a window with
replicate intervals, paired differences and cost-effectiveness, as text, CSV,
PNG figures and a self-contained HTML report.

    from migrasim import compare
    c = compare.compare(["out/baseline.h5", "out/task_force.h5"], start="2024-01-01")
    print(compare.report_text(c))

The command line is `python3 -m migrasim.compare --help` (see migrasim.compare.cli).
"""
from migrasim.compare.cli import main
from migrasim.compare.comparison import (COST, EFFECTS, PERCENTILES, Comparison, Window, compare,
                                         cost_effectiveness_rows, first_divergence, paired, quantiles,
                                         select_window, window_outcomes)
from migrasim.compare.figures import KEY_METRICS, figures, monthly, write_plots
from migrasim.compare.report import (ce_table, difference_table, fmt, fmt_signed, provenance, relative,
                                     report_html, report_text, summary_table, text_table, tidy, window_text)
from migrasim.compare.runs import METRICS, CompareError, Run, disambiguate, load_run, load_runs

__all__ = ["COST", "EFFECTS", "KEY_METRICS", "METRICS", "PERCENTILES", "CompareError", "Comparison", "Run",
           "Window", "ce_table", "compare", "cost_effectiveness_rows", "difference_table", "disambiguate",
           "figures", "first_divergence", "fmt", "fmt_signed", "load_run", "load_runs", "main", "monthly",
           "paired", "provenance", "quantiles", "relative", "report_html", "report_text", "select_window",
           "summary_table", "text_table", "tidy", "window_outcomes", "window_text", "write_plots"]
