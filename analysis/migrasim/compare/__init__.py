"""Scenario runs compared against a baseline: outcomes over a window with
replicate intervals, paired differences and cost-effectiveness, as text, CSV,
an interactive self-contained HTML report and PNG figures for papers; over a
posterior, the split of each effect's uncertainty into parameters and chance,
P(effect < 0) and the stability of the ranking of policies (posterior.py); cost
ranges with sourced unit costs and downstream costs (costs.py).

    from migrasim import compare
    c = compare.compare(["out/baseline.h5", "out/task_force.h5"], start="2024-01-01")
    print(compare.report_text(c))
    pathlib.Path("report.html").write_text(compare.report_html(c))

The command line is `python3 -m migrasim.compare --help` (see migrasim.compare.cli).
"""
from migrasim.compare.cli import main
from migrasim.compare.costs import CostRanges, Costs, cost_ranges, load_costs
from migrasim.compare.comparison import (COST, EFFECTS, PERCENTILES, Comparison, Window, compare,
                                         cost_effectiveness_rows, first_divergence, paired, quantiles,
                                         select_window, window_outcomes)
from migrasim.compare.figures import KEY_METRICS, figures, monthly, write_plots
from migrasim.compare.page import report_html
from migrasim.compare.posterior import (FLIP_SHARE, PosteriorEffects, Ranking, Split, posterior_effects, ranking,
                                        share_below_zero, variance_split)
from migrasim.compare.report import (ce_table, difference_table, fmt, fmt_signed, provenance, relative,
                                     report_text, summary_table, text_table, tidy, window_text)
from migrasim.compare.route import RouteComparison, route_comparison
from migrasim.compare.runs import METRICS, ROUTE_DIMS, CompareError, Entities, Run, disambiguate, load_run, load_runs

__all__ = ["COST", "EFFECTS", "FLIP_SHARE", "KEY_METRICS", "METRICS", "PERCENTILES", "ROUTE_DIMS", "CompareError",
           "Comparison", "CostRanges", "Costs", "Entities", "PosteriorEffects", "Ranking", "RouteComparison", "Run",
           "Split", "Window", "ce_table", "compare", "cost_effectiveness_rows", "cost_ranges", "load_costs",
           "posterior_effects", "ranking", "share_below_zero", "variance_split",
           "difference_table", "disambiguate", "figures", "first_divergence", "fmt", "fmt_signed", "load_run",
           "load_runs", "main", "monthly", "paired", "provenance", "quantiles", "relative", "report_html",
           "report_text", "route_comparison", "select_window", "summary_table", "text_table", "tidy",
           "window_outcomes", "window_text", "write_plots"]
