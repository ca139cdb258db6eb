"""Bar plots of the indices and the files SALib reads."""
import json
import pathlib

import numpy as np

PLOTTED = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma"), "regression": ("SRC", "PRCC")}


def write_plots(results, directory, confidence):
    """One PNG per output: horizontal bars per parameter with percentile error bars."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    paths = []
    for r in results:
        names = r.names
        k = len(names)
        indices = PLOTTED[r.method]
        fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.45 * k * len(indices) / 1.5), dpi=100)
        height = 0.8 / len(indices)
        positions = np.arange(k)[::-1]
        for i, index in enumerate(indices):
            values = np.asarray(r.values[index], dtype=float)
            y = positions + 0.4 - height * (i + 0.5)
            xerr = None
            if index in r.low:
                low, high = np.asarray(r.low[index]), np.asarray(r.high[index])
                xerr = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
                xerr = np.where(np.isfinite(xerr), xerr, 0)
            ax.barh(y, np.where(np.isfinite(values), values, 0), height=height * 0.9,
                    color=colors[i % len(colors)], label=index.replace("mu_star", "mu*"),
                    xerr=xerr, capsize=3, error_kw={"linewidth": 1})
        ax.set_yticks(positions)
        ax.set_yticklabels(names, fontsize=8)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.grid(True, axis="x", alpha=0.3)
        unit = f" [{r.output.units}]" if r.method == "morris" and r.output.units else ""
        ax.set_xlabel({"sobol": "Sobol index", "morris": f"elementary effect per unit range{unit}",
                       "regression": "coefficient"}[r.method])
        ax.set_title(f"{r.output.name}: {r.method} ({100 * confidence:g}% bootstrap intervals)", fontsize=10)
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        path = directory / f"{r.output.name}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def write_salib(sweep, directory):
    """problem.json, X.txt and Y_<output>.txt for SALib. For a sobol design, only whole
    blocks valid for every output are written, so that
    SALib.analyze.sobol.analyze(problem, Y, calc_second_order=False) reads them as they are;
    for other designs, the members valid for every output."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    usable = sweep.finished
    for output in sweep.outputs.values():
        usable &= np.isfinite(output.values)
    k = len(sweep.parameters)
    if sweep.design == "sobol" and sweep.members % (k + 2) == 0:
        usable = np.repeat(usable.reshape(-1, k + 2).all(axis=1), k + 2)
    bounds = []
    for p in sweep.parameters:
        lower, upper = p.lower, p.upper
        bounds.append([float(lower), float(upper)])
    problem = {"num_vars": k, "names": sweep.names, "bounds": bounds}
    (directory / "problem.json").write_text(json.dumps(problem, indent=2) + "\n", encoding="utf-8")
    paths = [directory / "problem.json"]
    np.savetxt(directory / "X.txt", sweep.matrix()[usable])
    paths.append(directory / "X.txt")
    np.savetxt(directory / "members.txt", np.nonzero(usable)[0], fmt="%d")
    paths.append(directory / "members.txt")
    for name, output in sweep.outputs.items():
        path = directory / f"Y_{name}.txt"
        np.savetxt(path, output.values[usable])
        paths.append(path)
    return paths, int(usable.sum())

