"""Policy effects over a posterior: runs made with `--posterior` record which
particle (calibrated parameter values) each replicate ran, so the spread of a
paired effect can be split into the part due to the parameters and the part due
to chance, and the order of policies checked draw by draw.

Every replicate is one draw from the posterior predictive distribution: its
particle was drawn by weight, then the model ran with its own random numbers.
Replicate r of two scenarios run with the same seed share the particle and the
random-number streams, so their difference d_r is one draw of the effect.

Variance decomposition (law of total variance over replicates grouped by
particle): Var(d) = E[Var(d | particle)] + Var(E[d | particle]), chance plus
parameters. With G particles holding n_g replicates each (N in all), the one-way
random-effects (ANOVA) estimators are

    within  s_w^2 = sum_g sum_i (d_gi - mean_g)^2 / (N - G)
    between s_b^2 = max(0, (MSB - s_w^2) / n0),   MSB = sum_g n_g (mean_g - mean)^2 / (G - 1),
                                                  n0  = (N - sum_g n_g^2 / N) / (G - 1)

and the parameter share is s_b^2 / (s_b^2 + s_w^2). Both parts are estimable
only when some particle holds two or more replicates (N > G) and there are at
least two particles (G > 1). Limits: it assumes the chance variance is the same
for every particle (a pooled average otherwise); s_b^2 is noisy with few
particles (its relative standard error is about sqrt(2 / (G - 1))) and is cut
at 0 when chance alone explains the spread; particles are drawn with
replacement, so repeats come from the weights and a posterior with many
particles of similar weight yields few repeats: run more replicates than
particles, or repeat particles on purpose, to estimate the split.
"""
import dataclasses
import itertools

import numpy as np

from migrasim.compare.comparison import EFFECTS

# A ranking, a sign or a pairwise order is called undecided when it fails in
# more than this share of draws (the command line's --flip-share).
FLIP_SHARE = 0.10


@dataclasses.dataclass
class Split:
    """The variance of one effect split by the law of total variance."""
    replicates: int
    particles: int
    total: float            # sample variance of the effect over replicates
    within: float           # chance: pooled variance among replicates of one particle (nan if not estimable)
    between: float          # parameters: variance of the particles' expected effects (nan if not estimable)
    why_not: str = ""       # why the split could not be estimated

    @property
    def parameter_share(self):
        s = self.between + self.within
        return float("nan") if not np.isfinite(s) or s <= 0 else self.between / s


def variance_split(values, particle):
    """ANOVA estimates of the within- and between-particle variance of `values`
    (one per replicate) grouped by `particle`; see the module's text."""
    values = np.asarray(values, dtype=float)
    particle = np.asarray(particle)
    n = values.size
    total = float(np.var(values, ddof=1)) if n > 1 else float("nan")
    groups = [values[particle == p] for p in np.unique(particle)]
    g = len(groups)
    if g < 2:
        return Split(n, g, total, float("nan"), float("nan"), "all replicates ran one particle")
    if n <= g:
        return Split(n, g, total, float("nan"), float("nan"),
                     "no particle ran more than one replicate, so chance and parameters cannot be told apart")
    means = np.array([x.mean() for x in groups])
    sizes = np.array([x.size for x in groups], dtype=float)
    within = float(sum(((x - x.mean()) ** 2).sum() for x in groups) / (n - g))
    grand = values.mean()
    msb = float((sizes * (means - grand) ** 2).sum() / (g - 1))
    n0 = (n - (sizes ** 2).sum() / n) / (g - 1)
    between = max(0.0, (msb - within) / n0)
    return Split(n, g, total, within, between)


def share_below_zero(values, particle):
    """P(effect < 0) over draws, with a standard error that treats replicates of
    one particle as a cluster (they are not independent draws)."""
    values = np.asarray(values, dtype=float)
    particle = np.asarray(particle)
    below = values < 0
    p = float(below.mean())
    labels = np.unique(particle)
    g = labels.size
    if g < 2:
        return p, float("nan")
    k = np.array([below[particle == q].sum() for q in labels], dtype=float)
    m = np.array([(particle == q).sum() for q in labels], dtype=float)
    se = np.sqrt(g / (g - 1) * ((k - p * m) ** 2).sum()) / values.size
    return p, float(se)


def particle_share_below_zero(values, particle):
    """Share of draws whose particle's mean effect is below 0 (each particle's
    replicates averaged, weighted by how often it was drawn): the probability
    that the expected effect, given the parameters, is a decrease."""
    values = np.asarray(values, dtype=float)
    particle = np.asarray(particle)
    labels = np.unique(particle)
    means = np.array([values[particle == q].mean() for q in labels])
    counts = np.array([(particle == q).sum() for q in labels], dtype=float)
    return float((counts * (means < 0)).sum() / counts.sum())


@dataclasses.dataclass
class Ranking:
    """How often each order of the policies holds, draw by draw, for one measure.
    An order is a tuple of tiers, best first; policies with equal values share a
    tier (written "a = b")."""
    measure: str                   # e.g. "deaths averted"
    metric: str
    scenarios: list                # labels, in the order of the files
    draws: int
    orders: list                   # (order, share of draws), most frequent first
    best: dict                     # label -> share of draws in which it is first or tied first
    pairwise: dict                 # (a, b) -> share of draws in which a is ahead of b (ties half)
    particle_orders: list          # the same as orders, over the particles' mean effects (weighted by draws)


def order_text(order):
    return " > ".join(" = ".join(tier) for tier in order)


def rank_order(benefit):
    """Tiers of indices, best first, for one draw; within a tier, file order."""
    benefit = np.asarray(benefit, dtype=float)
    tiers = []
    for value in sorted(set(benefit.tolist()), reverse=True):
        tiers.append(tuple(int(i) for i in np.nonzero(benefit == value)[0]))
    return tuple(tiers)


def ranking(labels, benefits, particle, measure, metric):
    """benefits: scenarios x draws (larger is better); particle: per draw."""
    benefits = np.asarray(benefits, dtype=float)
    k, n = benefits.shape
    orders = _order_shares([rank_order(benefits[:, j]) for j in range(n)], labels, np.ones(n))
    top = benefits.max(axis=0)
    best = {labels[i]: float((benefits[i] == top).mean()) for i in range(k)}
    pairwise = {}
    for a, b in itertools.permutations(range(k), 2):
        ahead = (benefits[a] > benefits[b]).mean() + 0.5 * (benefits[a] == benefits[b]).mean()
        pairwise[(labels[a], labels[b])] = float(ahead)
    particle = np.asarray(particle)
    ps = np.unique(particle)
    means = np.array([[benefits[i, particle == p].mean() for p in ps] for i in range(k)])
    weights = np.array([(particle == p).sum() for p in ps], dtype=float)
    particle_orders = _order_shares([rank_order(means[:, j]) for j in range(ps.size)], labels, weights)
    return Ranking(measure=measure, metric=metric, scenarios=list(labels), draws=n, orders=orders, best=best,
                   pairwise=pairwise, particle_orders=particle_orders)


def _order_shares(orders, labels, weights):
    total = float(np.sum(weights))
    shares = {}
    for order, w in zip(orders, weights):
        shares[order] = shares.get(order, 0.0) + float(w)
    ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    return [(tuple(tuple(labels[i] for i in tier) for tier in order), share / total) for order, share in ranked]


@dataclasses.dataclass
class PosteriorEffects:
    """What the report says about effects over a posterior."""
    splits: dict          # (label, metric) -> Split
    below_zero: dict      # (label, metric) -> (P(d < 0), its standard error, share of particles whose mean is < 0)
    rankings: list        # Ranking per measure (only with two or more policies)
    statements: list      # plain sentences for a planner where the data cannot decide
    notes: list
    flip_share: float


def posterior_effects(c, flip_share=FLIP_SHARE):
    """The posterior analysis of a Comparison, or None when no run has particles.

    Replicate pairs must share their particle (the same seed and posterior):
    a scenario whose pairs ran different particles is left out, with a note."""
    if not any(run.particle is not None for run in c.runs):
        return None
    if not 0 < flip_share < 0.5:
        raise ValueError("flip_share must lie strictly between 0 and 0.5")
    base = c.baseline
    notes, splits, below, usable = [], {}, {}, {}
    for run in c.runs[1:]:
        if run.particle is None or base.particle is None:
            which = run.label if run.particle is None else base.label
            notes.append(f"{which} records no posterior particles: {run.label} is left out of the posterior "
                         f"analysis")
            continue
        common = c.pairs[run.label]
        bp = base.particle[np.searchsorted(base.replicates, common)]
        rp = run.particle[np.searchsorted(run.replicates, common)]
        if not np.array_equal(bp, rp):
            notes.append(f"{run.label}: {int((bp != rp).sum())} of {common.size} replicate pairs ran different "
                         f"particles from the baseline (another seed or posterior?): its effects mix parameter "
                         f"draws, so it is left out of the posterior analysis")
            continue
        usable[run.label] = bp
        for m in c.metrics():
            if (run.label, m) not in c.differences:
                continue
            d = c.differences[(run.label, m)]
            splits[(run.label, m)] = variance_split(d, bp)
            p, se = share_below_zero(d, bp)
            below[(run.label, m)] = (p, se, particle_share_below_zero(d, bp))
    rankings = _rankings(c, usable)
    statements = _statements(c, splits, below, rankings, flip_share)
    return PosteriorEffects(splits=splits, below_zero=below, rankings=rankings, statements=statements,
                            notes=notes, flip_share=flip_share)


def _rankings(c, usable):
    """Rankings of the policies with paired particles, on every replicate they
    all share, by each effect of EFFECTS and by cost per unit of it."""
    labels = [run.label for run in c.runs[1:] if run.label in usable]
    if len(labels) < 2:
        return []
    common = c.pairs[labels[0]]
    for label in labels[1:]:
        common = np.intersect1d(common, c.pairs[label])
    if common.size == 0:
        return []
    particle = usable[labels[0]][np.searchsorted(c.pairs[labels[0]], common)]
    out = []
    for key, metric, sign, unit in EFFECTS:
        if not all((label, metric) in c.differences for label in labels):
            continue
        benefit = np.array([-sign * c.differences[(label, metric)][np.searchsorted(c.pairs[label], common)]
                            for label in labels])
        if not np.any(benefit > 0):
            continue   # no policy achieves anything on this measure in any draw: nothing to rank
        what = unit.replace(" averted", "s averted") if "averted" in unit else unit.replace("individual", "individuals")
        out.append(ranking(labels, benefit, particle, what, metric))
        if all((label, "intervention_cost_usd") in c.differences for label in labels):
            cost = np.array([c.differences[(label, "intervention_cost_usd")][np.searchsorted(c.pairs[label], common)]
                             for label in labels])
            # Cheaper per unit is better; a draw with no effect ranks last (a cost with nothing bought).
            with np.errstate(divide="ignore", invalid="ignore"):
                per = np.where(benefit > 0, cost / np.where(benefit > 0, benefit, 1.0), np.inf)
            out.append(ranking(labels, -per, particle, f"cost per {unit}", metric))
    return out


def _pct(x):
    return f"{100.0 * x:.0f}%"


def _statements(c, splits, below, rankings, flip_share):
    """Plain sentences, for the effects the policies are compared on (EFFECTS),
    where the posterior cannot decide (no sign, and no order of the policies,
    holds in 1 - flip_share of draws) and where the uncertainty is mostly about
    parameters rather than chance."""
    out = []
    compared = {metric for _, metric, _, _ in EFFECTS}
    for (label, m), (p, se, _) in below.items():
        if m not in compared:
            continue
        d = c.differences[(label, m)]
        rises, same = float((d > 0).mean()), float((d == 0).mean())
        if max(p, rises, same) < 1 - flip_share:
            out.append(f"{label} vs {c.baseline.label}, {m}: cannot say whether it falls or rises: "
                       f"it falls in {_pct(p)} of posterior draws, rises in {_pct(rises)}"
                       + (f" and is unchanged in {_pct(same)}." if same > 0 else "."))
    for (label, m), s in splits.items():
        share = s.parameter_share
        if m in compared and np.isfinite(share) and share > 0.5 and s.total > 0:
            out.append(f"{label}, {m}: {_pct(share)} of the effect's variance comes from the calibrated "
                       f"parameters, not chance: more replicates will not narrow it; better data would.")
    for r in rankings:
        if not r.orders:
            continue
        order, share = r.orders[0]
        if 1 - share > flip_share:
            text = order_text(order)
            out.append(f"Ranking by {r.measure}: the data cannot decide. The most frequent order "
                       f"({text}) holds in only {_pct(share)} of posterior draws.")
            for a, b in itertools.combinations(r.scenarios, 2):
                ahead = r.pairwise[(a, b)]
                if flip_share < ahead < 1 - flip_share:
                    out.append(f"  {a} vs {b} on {r.measure}: {a} is ahead in {_pct(ahead)} of draws, "
                               f"{b} in {_pct(1 - ahead)}; treat them as equal.")
    return out


def split_table(c, pe):
    from migrasim.compare.report import fmt, fmt_signed
    rows = []
    for m in c.metrics():
        for run in c.runs[1:]:
            key = (run.label, m)
            if key not in pe.splits:
                continue
            s, (p, se, pp) = pe.splits[key], pe.below_zero[key]
            med, lo, hi = c.diff_summary[key]
            sd = lambda v: "n/a" if not np.isfinite(v) else fmt(np.sqrt(v))
            share = s.parameter_share
            rows.append([m, run.label, fmt_signed(med), f"{fmt_signed(lo)} .. {fmt_signed(hi)}", sd(s.total),
                         sd(s.between), sd(s.within), "n/a" if not np.isfinite(share) else _pct(share),
                         f"{p:.2f}" + ("" if not np.isfinite(se) else f" ± {se:.2f}"), f"{pp:.2f}",
                         f"{s.particles}/{s.replicates}"])
    header = ["metric", "scenario", "median effect", "90% interval", "sd", "sd parameters", "sd chance",
              "parameter share", "P(effect<0)", "P(mean<0)", "particles/draws"]
    return header, rows


def ranking_lines(r, shown=3):
    lines = [f"  by {r.measure} ({r.draws} draws):"]
    for order, share in r.orders[:shown]:
        lines.append(f"    {_pct(share):>4} of draws: {order_text(order)}")
    if len(r.orders) > shown:
        lines.append(f"    ({len(r.orders) - shown} other order(s) in {_pct(sum(s for _, s in r.orders[shown:]))})")
    best = ", ".join(f"{label} {_pct(share)}" for label, share in
                     sorted(r.best.items(), key=lambda item: -item[1]))
    lines.append(f"    first (or tied first): {best}")
    if r.particle_orders:
        order, share = r.particle_orders[0]
        lines.append(f"    over particles' mean effects: {order_text(order)} in {_pct(share)}")
    return lines


def posterior_text(c, pe):
    from migrasim.compare.report import text_table
    out = ["Over the posterior: effects with parameter and chance uncertainty together "
           "(each replicate one posterior draw; sd split by the law of total variance over "
           "replicates grouped by particle)"]
    header, rows = split_table(c, pe)
    if rows:
        out.append(text_table(header, rows, numeric={2, 4, 5, 6, 7, 8, 9, 10}))
    why = sorted({s.why_not for s in pe.splits.values() if s.why_not})
    for w in why:
        out.append(f"  (no split: {w})")
    if pe.rankings:
        out.append("")
        out.append("Ranking of policies across the posterior (share of draws in which each order holds)")
        for r in pe.rankings:
            out.extend(ranking_lines(r))
    out.append("")
    if pe.statements:
        out.append(f"For a planner: where the data cannot decide (an order or a sign that fails in more than "
                   f"{_pct(pe.flip_share)} of draws), and where better data, not more runs, would narrow an effect:")
        out.extend(f"  - {s}" for s in pe.statements)
    else:
        out.append(f"Every sign and ranking above holds in at least {_pct(1 - pe.flip_share)} of draws.")
    for n in pe.notes:
        out.append(f"  note: {n}")
    return "\n".join(out)


def posterior_tidy(c, pe):
    """Rows (scenario, metric, statistic, value) for the long CSV table."""
    rows = []
    for (label, m), s in pe.splits.items():
        p, se, pp = pe.below_zero[(label, m)]
        for stat, v in (("var_total", s.total), ("var_parameters", s.between), ("var_chance", s.within),
                        ("parameter_share", s.parameter_share), ("p_below_zero", p), ("p_below_zero_se", se),
                        ("p_particle_mean_below_zero", pp), ("particles", float(s.particles))):
            rows.append((label, m, stat, v))
    for r in pe.rankings:
        for label, share in r.best.items():
            rows.append((label, f"rank by {r.measure}", "share_first", share))
        if r.orders:
            rows.append((order_text(r.orders[0][0]), f"rank by {r.measure}", "share_most_frequent_order",
                         r.orders[0][1]))
    return rows
