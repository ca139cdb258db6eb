"""What a calibration learned, and how well its posterior predicts the data.

Usage:
    /usr/bin/python3 -m migrasim.posterior POSTERIOR.h5 [--plot DIR] [--markdown]
        [--run RUN.h5 --targets FILE]

For each parameter of the final generation: the prior, the weighted posterior
mean and 5/50/95% quantiles, and the contraction 1 - var(posterior) /
var(prior), both in the scale the prior is flat or symmetric in (the logarithm
for a log-uniform prior). A contraction near 1 means the data pin the
parameter down; near 0, the posterior is the prior: the data cannot tell.
Strong posterior correlations name the combinations the data do identify when
the single parameters are not. With --plot, a pair plot of the final
generation (pairs.png) and each generation's tolerance (tolerances.png).

With --run (a run over the posterior, `migrasim run --posterior`, with the
calibration's `set` overrides) and --targets (the calibration file), the
posterior predictive check: for each target the replicates' 5/25/50/75/95%
quantiles, whether the observed figure (or range) meets the 50% and 90%
predictive intervals, and the coverage over all targets. A replicate's summary
includes stochastic noise but not the measurement error of the observation.

Exit status: 0, or 2 for a file that is not a posterior or a target the run
cannot produce.
"""
import argparse
import math
import pathlib
import sys

import numpy as np

from migrasim.fit import load_targets, simulated
from migrasim.io import open_run, plain_warnings

__all__ = ["Marginal", "contraction_verdict", "main", "marginals", "pair_plot", "posterior_correlations",
           "predictive_table", "prior_scale_variance", "weighted_quantile"]

IDENTIFIED, PARTLY = 0.5, 0.2


def weighted_quantile(values, weights, q):
    """The q-quantiles of a weighted sample (inverse of the weighted ECDF, midpoint rule)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    values, weights = values[weights > 0], weights[weights > 0]  # particles of weight 0 are not in the sample
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return np.interp(q, cumulative, values)


def _transform(attrs):
    """The scale a prior is flat or symmetric in: log for log-uniform, else identity."""
    return np.log if str(attrs.get("prior_distribution", "")) == "log_uniform" else (lambda x: np.asarray(x, float))


def prior_scale_variance(attrs):
    """Variance of the prior in its own scale (see _transform), from the posterior file's attributes."""
    kind = str(attrs.get("prior_distribution", ""))
    lower, upper = float(attrs.get("prior_lower", np.nan)), float(attrs.get("prior_upper", np.nan))
    if kind == "uniform":
        return (upper - lower) ** 2 / 12.0
    if kind == "log_uniform":
        return (math.log(upper) - math.log(lower)) ** 2 / 12.0
    if kind == "normal":
        return float(attrs["prior_sd"]) ** 2
    if kind == "truncated_normal":
        from scipy.stats import truncnorm
        mean, sd = float(attrs["prior_mean"]), float(attrs["prior_sd"])
        return float(truncnorm((lower - mean) / sd, (upper - mean) / sd, loc=mean, scale=sd).var())
    if kind == "beta":
        a, b = float(attrs["prior_alpha"]), float(attrs["prior_beta"])
        width = (upper - lower) if np.isfinite(upper - lower) else 1.0
        return a * b / ((a + b) ** 2 * (a + b + 1)) * width ** 2
    raise ValueError(f"unknown prior distribution '{kind}'")


def contraction_verdict(contraction):
    if contraction >= IDENTIFIED:
        return "identified"
    if contraction >= PARTLY:
        return "partly identified"
    return "not identified (posterior ~ prior)"


class Marginal:
    """One parameter's prior and final-generation posterior."""

    def __init__(self, name, prior, units, mean, q05, q50, q95, contraction):
        self.name, self.prior, self.units = name, prior, units
        self.mean, self.q05, self.q50, self.q95, self.contraction = mean, q05, q50, q95, contraction

    @property
    def verdict(self):
        return contraction_verdict(self.contraction)


def _parameters(post):
    names = str(post.attrs.get("parameters", "")).split()
    if not names or "weight" not in post:
        raise ValueError("not a posterior file of migrasim calibrate (no `parameters` attribute or `weight`)")
    return names


def marginals(post):
    """A Marginal per parameter, from the final generation."""
    names = _parameters(post)
    last = post.isel(generation=-1)
    w = np.asarray(last["weight"].values, float)
    rows = []
    for name in names:
        attrs = post[name].attrs
        x = np.asarray(last[name].values, float)
        mean = float(np.sum(w * x) / w.sum())
        q05, q50, q95 = (float(v) for v in weighted_quantile(x, w, [0.05, 0.5, 0.95]))
        t = _transform(attrs)(x)
        t_mean = np.sum(w * t) / w.sum()
        variance = float(np.sum(w * (t - t_mean) ** 2) / w.sum())
        contraction = 1.0 - variance / prior_scale_variance(attrs)
        rows.append(Marginal(name, str(attrs.get("prior", "")), str(attrs.get("units", "1")), mean, q05, q50, q95,
                             contraction))
    return rows


def posterior_correlations(post):
    """(names, weighted correlation matrix) of the final generation, in the priors' scales."""
    names = _parameters(post)
    last = post.isel(generation=-1)
    w = np.asarray(last["weight"].values, float)
    w = w / w.sum()
    columns = np.array([_transform(post[n].attrs)(np.asarray(last[n].values, float)) for n in names])
    centred = columns - (columns * w).sum(axis=1, keepdims=True)
    covariance = (centred * w) @ centred.T
    sd = np.sqrt(np.diag(covariance))
    with np.errstate(invalid="ignore", divide="ignore"):
        return names, covariance / np.outer(sd, sd)


def predictive_table(ds, targets):
    """Per target: (name, low, high, q05, q25, q50, q75, q95, in 50%, in 90%)."""
    rows = []
    for target in targets:
        values = simulated(ds, target)
        q05, q25, q50, q75, q95 = (float(v) for v in np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95]))
        meets = lambda lo, hi: target.low <= hi and target.high >= lo  # noqa: E731 (an interval test)
        rows.append((f"{target.name} ({target.label})", target.low, target.high, q05, q25, q50, q75, q95,
                     meets(q25, q75), meets(q05, q95)))
    return rows


def _number(x):
    if x == 0 or not np.isfinite(x):
        return f"{x:g}"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _table(header, rows, markdown):
    if markdown:
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                         + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(str(c)) for c in column) + 2 for column in zip(header, *rows)]
    return "\n".join("".join(f"{c:<{w}}" for c, w in zip(r, widths)).rstrip() for r in [header, *rows])


def format_marginals(rows, markdown=False):
    header = ("parameter", "prior", "posterior mean", "5%", "50%", "95%", "contraction", "what the data say")
    cells = [(r.name, r.prior, _number(r.mean), _number(r.q05), _number(r.q50), _number(r.q95),
              f"{r.contraction:.2f}", r.verdict) for r in rows]
    return _table(header, cells, markdown)


def format_correlations(names, corr, threshold=0.5):
    pairs = [(abs(corr[i, j]), names[i], names[j], corr[i, j]) for i in range(len(names))
             for j in range(i + 1, len(names)) if np.isfinite(corr[i, j]) and abs(corr[i, j]) >= threshold]
    if not pairs:
        return f"no pair of parameters is correlated beyond |r| = {threshold:g} in the posterior"
    lines = [f"posterior correlations beyond |r| = {threshold:g} (in the priors' scales): the data constrain "
             f"these combinations more than the parameters alone"]
    lines += [f"  {a} ~ {b}: r = {r:+.2f}" for _, a, b, r in sorted(pairs, reverse=True)]
    return "\n".join(lines)


def format_predictive(rows, markdown=False):
    header = ("target", "observed", "5%", "25%", "median", "75%", "95%", "in 50%", "in 90%")
    cells = []
    for label, low, high, q05, q25, q50, q75, q95, in50, in90 in rows:
        observed = _number(low) if low == high else f"{_number(low)}-{_number(high)}"
        cells.append((label, observed, _number(q05), _number(q25), _number(q50), _number(q75), _number(q95),
                      "yes" if in50 else "no", "yes" if in90 else "no"))
    text = _table(header, cells, markdown)
    n = len(rows)
    in50, in90 = sum(r[8] for r in rows), sum(r[9] for r in rows)
    return text + (f"\ncoverage: {in50} of {n} observed figures in the 50% predictive interval, {in90} of {n} "
                   f"in the 90% interval")


def pair_plot(post, path):
    """Scatter of every pair of parameters in the final generation (weights as marker size), with the
    prior's support as axis limits and log axes for log-uniform priors."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = _parameters(post)
    last = post.isel(generation=-1)
    w = np.asarray(last["weight"].values, float)
    size = 40.0 * w / w.max()
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.6 * k + 1, 1.6 * k + 1), squeeze=False)
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            x = np.asarray(last[xj].values, float)
            ax_attrs = post[xj].attrs
            log_x = str(ax_attrs.get("prior_distribution", "")) == "log_uniform"
            if i == j:
                bins = np.geomspace(x.min(), x.max(), 20) if log_x and x.min() > 0 else 20
                ax.hist(x, bins=bins, weights=w, color="tab:blue")
            elif i > j:
                y = np.asarray(last[yi].values, float)
                ax.scatter(x, y, s=size, alpha=0.5, color="tab:blue", linewidths=0)
                if str(post[yi].attrs.get("prior_distribution", "")) == "log_uniform":
                    ax.set_yscale("log")
                lo, hi = float(post[yi].attrs.get("prior_lower", np.nan)), float(post[yi].attrs.get("prior_upper", np.nan))
                if np.isfinite(lo) and np.isfinite(hi):
                    ax.set_ylim(lo, hi)
            else:
                ax.axis("off")
                continue
            if log_x:
                ax.set_xscale("log")
            lo, hi = float(ax_attrs.get("prior_lower", np.nan)), float(ax_attrs.get("prior_upper", np.nan))
            if np.isfinite(lo) and np.isfinite(hi):
                ax.set_xlim(lo, hi)
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(xj, fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(yi, fontsize=7)
    fig.suptitle("Final generation: axes span each prior's support", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=60)
    plt.close(fig)


def tolerance_plot(post, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    tol = np.asarray(post["tolerance"].values, float)
    sims = np.cumsum(np.asarray(post["simulations"].values, float))
    ax.plot(sims[1:], tol[1:], "o-")
    ax.set_xlabel("simulations so far")
    ax.set_ylabel("tolerance (distance)")
    ax.set_yscale("log")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None, prog="python3 -m migrasim.posterior"):
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("posterior", help="a posterior file of migrasim calibrate")
    parser.add_argument("--run", help="a run over the posterior, for the predictive check")
    parser.add_argument("--targets", help="the calibration file (its targets), with --run")
    parser.add_argument("--plot", help="write pairs.png and tolerances.png into this folder")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    if bool(args.run) != bool(args.targets):
        parser.error("--run and --targets go together")
    try:
        import xarray as xr
        with plain_warnings(prog), xr.open_dataset(args.posterior) as post:
            rows = marginals(post)
            w = np.asarray(post["weight"].isel(generation=-1).values, float)
            ess = w.sum() ** 2 / np.sum(w ** 2)
            print(f"final generation {post.sizes['generation'] - 1}: {w.size} particles, effective sample size "
                  f"{ess:.0f}" + (" (below 50: contractions and quantiles are rough)" if ess < 50 else ""))
            print(format_marginals(rows, args.markdown))
            print()
            print(format_correlations(*posterior_correlations(post)))
            if args.plot:
                folder = pathlib.Path(args.plot)
                folder.mkdir(parents=True, exist_ok=True)
                pair_plot(post, folder / "pairs.png")
                tolerance_plot(post, folder / "tolerances.png")
        if args.run:
            targets = load_targets(args.targets)
            with plain_warnings(prog), open_run(args.run) as ds:
                print()
                print(format_predictive(predictive_table(ds, targets), args.markdown))
    except (OSError, ValueError, KeyError) as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
