"""Figures of a comparison: monthly time series with replicate bands and the
paired differences, as PNG."""
import io
import pathlib

import numpy as np
import pandas as pd

from migrasim.windows import reduce_groups

# Metrics drawn as time series.
KEY_METRICS = ["border_encounters", "smuggled_departures", "deaths", "high_risk_detected",
               "asylum_backlog", "smuggler_revenue_usd", "intervention_cost_usd"]


def monthly(run, idx, metric):
    """Per replicate monthly values in the window: sums for flows, last step for stocks.
    A DataFrame indexed by month start, one column per replicate."""
    frame = pd.DataFrame(run.series[metric][:, idx].T, index=pd.DatetimeIndex(run.times[idx]))
    return reduce_groups(frame.resample("MS"), run.reductions[metric])


def figures(c):
    """name -> (title, PNG bytes)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    out = {}
    for metric in KEY_METRICS:
        if not any(metric in run.series for run in c.runs):
            continue
        fig, ax = plt.subplots(figsize=(9, 4.2), dpi=100)
        for k, (run, idx) in enumerate(zip(c.runs, c.window.indices)):
            if metric not in run.series:
                continue
            m = monthly(run, idx, metric)
            q = np.percentile(m.values, [5, 50, 95], axis=1)
            color = colors[k % len(colors)]
            ax.fill_between(m.index, q[0], q[2], color=color, alpha=0.2, linewidth=0, step=None)
            ax.plot(m.index, q[1], color=color, linewidth=1.8, marker="o", markersize=2.5,
                    label=run.label + (" (baseline)" if k == 0 and "baseline" not in run.label.lower() else ""))
        what = "monthly sum" if c.reduction(metric) == "sum" else "end-of-month value"
        ax.set_title(f"{metric}: {what}, replicate median and 5-95% band")
        ax.set_ylabel(c.units(metric))
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        fig.autofmt_xdate()
        fig.tight_layout()
        out[f"timeseries_{metric}"] = (f"{metric} ({what})", _png(fig, plt))
    if len(c.runs) > 1 and c.diff_summary:
        metrics = [m for m in c.metrics() if any((r.label, m) in c.diff_summary for r in c.runs[1:])]
        ncols = 3
        nrows = int(np.ceil(len(metrics) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(12, 2.9 * nrows), dpi=100, squeeze=False)
        others = c.runs[1:]
        for ax, metric in zip(axes.flat, metrics):
            for k, run in enumerate(others):
                if (run.label, metric) not in c.diff_summary:
                    continue
                med, lo, hi = c.diff_summary[(run.label, metric)]
                ax.bar(k, med, color=colors[(k + 1) % len(colors)], alpha=0.85)
                ax.errorbar(k, med, yerr=[[med - lo], [hi - med]], color="black", capsize=4, linewidth=1)
            ax.axhline(0, color="grey", linewidth=0.8)
            ax.set_xticks(range(len(others)))
            ax.set_xticklabels([r.label for r in others], fontsize=7, rotation=15)
            ax.set_title(f"{metric} ({c.units(metric)})", fontsize=9)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(True, axis="y", alpha=0.3)
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        fig.suptitle(f"Paired differences vs {c.baseline.label}: median and 90% interval", fontsize=11)
        fig.tight_layout()
        out["differences"] = ("paired differences against the baseline", _png(fig, plt))
    return out


def _png(fig, plt):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def write_plots(figs, directory):
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (_, data) in figs.items():
        path = directory / f"{name}.png"
        path.write_bytes(data)
        paths.append(path)
    return paths

