#!/usr/bin/python3
"""Simulation-based calibration of `migrasim calibrate` on the migration model.

For each of N synthetic data sets: draw true parameters from the prior, run the
tiny test scenario (tests/data/tiny.yaml) with them and a seed of its own, read
the target summaries off the run, add the observation error the ABC posterior
assumes, calibrate against them, and find where the truth falls in the final
generation's weighted posterior (its rank quantile u, and whether the central
90% interval holds it). If the posterior is calibrated, u is uniform on [0, 1]
and the 90% intervals cover the truth in about 90% of data sets.

At final tolerance eps, with the Euclidean distance of residuals scaled by
fixed sds, ABC's posterior is exactly the posterior of a model whose
observations are the simulation plus an error uniform on the disk of radius
eps (in those sds). So each synthetic observation gets such an error, and the
check holds for the calibrations that reach the final tolerance.

    /usr/bin/python3 tests/bench/sbc.py [--datasets 20] [--jobs 2] [--binary build/migrasim] [--out DIR]

Prints the coverage and a rank histogram per parameter, as Markdown.
"""
import argparse
import concurrent.futures
import pathlib
import subprocess
import sys
import tempfile
import threading

import numpy as np
import xarray as xr

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "data" / "tiny.yaml"
WINDOW = ("2022-04-01", "2022-04-29")
FINAL_TOLERANCE = 1.0
ERROR_SD = (300.0, 60.0)  # encounters, arrivals at the destination (persons)

# (name, key, prior as written, sampler)
PARAMETERS = [
    ("base_rate", "decisions.base_rate_per_day", "prior: log_uniform, range: [5.0e-5, 8.0e-4]",
     lambda rng: float(np.exp(rng.uniform(np.log(5e-5), np.log(8e-4))))),
    ("detection", "checkpoints.border_patrol.detection_probability",
     "prior: beta, alpha: 2, beta: 2, range: [0.5, 1.0]",
     lambda rng: float(0.5 + 0.5 * rng.beta(2, 2))),
]


# The netCDF library is not thread-safe: one file open at a time.
READING = threading.Lock()


def summaries(path):
    with READING, xr.open_dataset(path) as ds:
        window = ds.sel(time=slice(*WINDOW))
        encounters = float(window["border_encounters"].sum())
        haven = float(window["node_arrivals"].sel(node="haven").sum())
    return encounters, haven


def calibration_text(observed, seed):
    encounters, haven = observed
    lines = [
        "name: sbc",
        f"scenario: {SCENARIO}",
        f"seed: {seed}",
        "population: 50",
        "quantile: 0.3",
        "stop: {max_generations: 12, max_simulations: 4000, final_tolerance: " + str(FINAL_TOLERANCE) +
        ", min_acceptance_rate: 0.02}",
        "parameters:",
    ]
    for name, key, prior, _ in PARAMETERS:
        lines.append(f"  - {{name: {name}, key: {key}, {prior}}}")
    lines += [
        "targets:",
        f"  - {{name: encounters, series: border_encounters, window: {{from: {WINDOW[0]}, to: {WINDOW[1]}}},"
        f" observed: {encounters}, error: {{sd: {ERROR_SD[0]}}}}}",
        f"  - {{name: haven, series: node_arrivals, at: {{node: haven}}, window: {{from: {WINDOW[0]}, to: {WINDOW[1]}}},"
        f" observed: {haven}, error: {{sd: {ERROR_SD[1]}}}}}",
    ]
    return "\n".join(lines) + "\n"


def weighted_quantile(values, weights, q):
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return values[order][np.searchsorted(cumulative, q * cumulative[-1])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=20)
    parser.add_argument("--binary", default=str(ROOT / "build" / "migrasim"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=2, help="data sets calibrated side by side")
    parser.add_argument("--out", help="keep the files here (default: a temporary directory)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    work = pathlib.Path(args.out or tempfile.mkdtemp(prefix="migrasim_sbc_"))
    work.mkdir(parents=True, exist_ok=True)
    ranks = {name: [] for name, *_ in PARAMETERS}
    covered = {name: [] for name, *_ in PARAMETERS}
    simulations = []
    reached = []
    truths = [{name: sample(rng) for name, _, _, sample in PARAMETERS} for _ in range(args.datasets)]
    noise = [(rng.uniform(0, 2 * np.pi), FINAL_TOLERANCE * np.sqrt(rng.uniform())) for _ in range(args.datasets)]

    def one(d):
        truth = truths[d]
        run = work / f"truth{d}.h5"
        sets = [f"--set={key}={truth[name]!r}" for name, key, _, _ in PARAMETERS]
        subprocess.run([args.binary, "run", str(SCENARIO), *sets, "--seed", str(1000 + d), "--quiet",
                        "--force", "--threads", "1", "-o", str(run)], check=True)
        angle, radius = noise[d]
        clean = summaries(run)
        observed = (clean[0] + radius * np.cos(angle) * ERROR_SD[0], clean[1] + radius * np.sin(angle) * ERROR_SD[1])
        calibration = work / f"sbc{d}.yaml"
        calibration.write_text(calibration_text(observed, seed=d + 1))
        posterior = work / f"posterior{d}.h5"
        subprocess.run([args.binary, "calibrate", str(calibration), "-o", str(posterior), "--force",
                        "--quiet", "--threads", "1"], check=True)
        with READING, xr.open_dataset(posterior) as ds:
            last = ds.isel(generation=-1)
            weights = last["weight"].values
            result = {"simulations": int(ds.attrs["total_simulations"]),
                      "reached": str(ds.attrs["stop_reason"]).startswith("final_tolerance")}
            for name, *_ in PARAMETERS:
                values = last[name].values
                lo, hi = weighted_quantile(values, weights, 0.05), weighted_quantile(values, weights, 0.95)
                result[name] = (float(weights[values < truth[name]].sum()), bool(lo <= truth[name] <= hi))
        print(f"data set {d}: " + ", ".join(f"{n} u={result[n][0]:.2f}" for n, *_ in PARAMETERS)
              + f", {result['simulations']} simulations, final tolerance reached: {result['reached']}",
              file=sys.stderr, flush=True)
        return result

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(one, range(args.datasets)))
    for result in results:
        simulations.append(result["simulations"])
        reached.append(result["reached"])
        for name, *_ in PARAMETERS:
            ranks[name].append(result[name][0])
            covered[name].append(result[name][1])

    bins = np.linspace(0, 1, 6)
    print(f"{args.datasets} synthetic data sets; {int(np.median(simulations))} simulations per calibration "
          f"(median); {sum(reached)} reached the final tolerance\n")
    print("| parameter | 90% interval coverage | rank quantile histogram (5 bins, 0-0.2 ... 0.8-1) |")
    print("|---|---|---|")
    for name in ranks:
        histogram, _ = np.histogram(ranks[name], bins=bins)
        rate = np.mean(covered[name])
        print(f"| {name} | {rate:.2f} ({sum(covered[name])}/{args.datasets}) | {' '.join(str(h) for h in histogram)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
