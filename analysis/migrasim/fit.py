"""Compare a baseline run with the observed figures of the corridor.

Usage:
    /usr/bin/python3 -m migrasim.fit out/baseline.h5 [--plot fit.png] [--markdown]
    /usr/bin/python3 analysis/fit_baseline.py ...          (the same)

Simulated US border encounters are summed per US fiscal year (October to
September) and Darien Gap crossings (arrivals at the node after the Darien,
`panama_reception` unless --darien-node says otherwise) per calendar year; each
is the mean over replicates, with the replicate range, set against the observed
range in scenarios/observed/observations.yaml. A ratio within [1/1.5, 1.5] of
the observed midpoint (of the observed range, if any) counts as a fit. Both
series must be flows (cell_methods "time: sum"); exits 2 if not.
"""
import argparse
import pathlib
import sys

import numpy as np
import yaml

from migrasim.io import open_run, plain_warnings
from migrasim.windows import reduce_groups, reduce_time, summed_units, time_reduction, year_window

__all__ = ["OBSERVED", "TOLERANCE", "fit_table", "format_rows", "main", "observed_targets", "plot", "simulated",
           "year_window"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
OBSERVED = ROOT / "scenarios" / "observed" / "observations.yaml"
TOLERANCE = 1.5
ENCOUNTERS, ARRIVALS = "border_encounters", "node_arrivals"


def observed_targets(path=OBSERVED):
    """[(label, kind, year, low, high)] for the fitted series."""
    data = yaml.safe_load(pathlib.Path(path).read_text())
    targets = []
    for year, value in data["us_southwest_border_chinese_nationals"]["values"].items():
        targets.append((f"US border encounters FY{year}", "fiscal", int(year), value["low"], value["high"]))
    darien = data["darien_gap_crossings_chinese_nationals"]["values"]
    for year in (2022, 2023):
        targets.append((f"Darien crossings {year}", "calendar", year, darien[year], darien[year]))
    return targets


def _flow(variable):
    """The variable, checked to be a flow: yearly totals are sums of it."""
    if time_reduction(variable.name, variable.attrs) != "sum":
        raise ValueError(f"{variable.name} is not a flow (cell_methods 'time: sum'): "
                         f"it has no yearly totals to set against the observed counts")
    return variable


def simulated(ds, kind, year, darien_node):
    start, end = year_window(kind, year)
    window = ds.sel(time=slice(start, end))
    if window.sizes["time"] == 0:
        return None
    variable = _flow(window[ENCOUNTERS] if kind == "fiscal" else window[ARRIVALS].sel(node=darien_node))
    return reduce_time(variable.values, "sum", axis=variable.get_axis_num("time"))


def fit_table(ds, darien_node="panama_reception", observed_path=OBSERVED):
    """Rows of (label, observed low, observed high, sim mean, sim min, sim max, ratio, fits)."""
    nodes = [str(n) for n in ds["node"].values]
    if darien_node not in nodes:
        raise ValueError(f"the run has no node named {darien_node} (its nodes: {', '.join(nodes)}); "
                         f"name the node after the Darien with --darien-node")
    rows = []
    for label, kind, year, low, high in observed_targets(observed_path):
        values = simulated(ds, kind, year, darien_node)
        if values is None:
            continue
        mid = 0.5 * (low + high)
        mean = float(values.mean())
        ratio = mean / mid if mid > 0 else float("inf")
        rows.append((label, low, high, mean, float(values.min()), float(values.max()), ratio,
                     1 / TOLERANCE <= ratio <= TOLERANCE))
    return rows


def format_rows(rows, markdown=False):
    header = ("target", "observed", "simulated mean", "replicate range", "sim / obs", "within 1.5x")
    lines = []
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
    else:
        lines.append(f"{header[0]:<30}{header[1]:>16}{header[2]:>16}{header[3]:>20}{header[4]:>10}{header[5]:>13}")
    for label, low, high, mean, lo, hi, ratio, ok in rows:
        observed = f"{low:,.0f}" if low == high else f"{low:,.0f}-{high:,.0f}"
        cells = (label, observed, f"{mean:,.0f}", f"{lo:,.0f}-{hi:,.0f}", f"{ratio:.2f}", "yes" if ok else "NO")
        if markdown:
            lines.append("| " + " | ".join(cells) + " |")
        else:
            lines.append(f"{cells[0]:<30}{cells[1]:>16}{cells[2]:>16}{cells[3]:>20}{cells[4]:>10}{cells[5]:>13}")
    return "\n".join(lines)


def plot(ds, rows, path, darien_node):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    encounters = _flow(ds[ENCOUNTERS])
    units = summed_units(str(encounters.attrs.get("units", "")), "sum")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    monthly = reduce_groups(encounters.resample(time="1MS"), "sum")
    mean = monthly.mean("replicate")
    axes[0].fill_between(monthly.time.values, monthly.min("replicate"), monthly.max("replicate"),
                         alpha=0.3, label="replicate range")
    axes[0].plot(monthly.time.values, mean, label="simulated mean")
    axes[0].set_title("US border encounters per month")
    axes[0].set_ylabel(f"{units} per month")
    axes[0].legend()

    labels = [r[0].replace("US border encounters ", "").replace("Darien crossings ", "Darien ") for r in rows]
    x = np.arange(len(rows))
    observed = [0.5 * (r[1] + r[2]) for r in rows]
    axes[1].bar(x - 0.2, observed, 0.4, label="observed")
    axes[1].bar(x + 0.2, [r[3] for r in rows], 0.4, label="simulated mean",
                yerr=[[r[3] - r[4] for r in rows], [r[5] - r[3] for r in rows]])
    axes[1].set_xticks(x, labels)
    axes[1].set_yscale("log")
    axes[1].set_title(f"Annual totals ({units})")
    axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None, prog="fit_baseline.py"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--darien-node", default="panama_reception")
    parser.add_argument("--plot", help="write a PNG figure here")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    with plain_warnings(prog), open_run(args.file) as ds:
        try:
            rows = fit_table(ds, args.darien_node)
        except ValueError as error:
            print(f"{prog}: error: {error}", file=sys.stderr)
            return 2
        print(format_rows(rows, args.markdown))
        if args.plot:
            plot(ds, rows, args.plot, args.darien_node)
    return 0 if all(r[7] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(prog="python3 -m migrasim.fit"))
