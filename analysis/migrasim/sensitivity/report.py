"""The indices as people and programs read them: text tables, a long CSV table and JSON."""
import numpy as np

from migrasim.sensitivity.analysis import METHODS

METHOD_TITLES = {
    "sobol": "Sobol indices: first order S1 (Saltelli et al. 2010), total order ST (Jansen 1999)",
    "morris": "Elementary effects between adjacent grid levels (Morris): mu, mu* = mean |EE|, sigma; "
              "EE = dY / (step as a fraction of the parameter's range)",
    "regression": "Standardized regression coefficients (SRC, linear fit R^2) and partial rank correlation "
                  "coefficients (PRCC); not Sobol indices, which need a sobol (Saltelli) design",
}


def _number(value, digits=4):
    if value is None or not np.isfinite(value):
        return "n/a"
    if digits is None:
        return f"{value:.4g}"
    return f"{value:.{digits}f}"


def _interval(low, high, digits=4):
    if not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    return f"{_number(low, digits)} .. {_number(high, digits)}"


def _table(header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join(["  " + line(header), "  " + "  ".join("-" * w for w in widths)]
                     + ["  " + line(r) for r in rows])


def describe_sweep(sweep):
    k = len(sweep.parameters)
    if sweep.design == "sobol" and sweep.members % (k + 2) == 0:
        size = f"{sweep.members // (k + 2)} base samples x (k + 2) = {sweep.members} members"
    else:
        size = f"{sweep.members} members"
    return (f"Sweep {sweep.path}: design {sweep.design}, {k} parameter(s) ({', '.join(sweep.names)}), "
            f"{size}, {sweep.replicates} replicate(s), seed {sweep.attrs.get('seed', 'n/a')}")


def _dropped_text(result):
    if not result.dropped:
        return "none dropped"
    what = ", ".join(f"{count} {reason}" for reason, count in result.dropped.items())
    if result.method == "sobol":
        return f"{result.total - result.used} block(s) dropped ({what})"
    return f"{sum(result.dropped.values())} member(s) dropped ({what})"


def report_text(sweep, results, bootstrap, confidence, seed):
    level = f"{100 * confidence:g}%"
    method = results[0].method if results else METHODS[sweep.design]
    resampled = {"sobol": "base samples (A, AB, B blocks kept together)", "morris": "elementary effects",
                 "regression": "members"}[method]
    out = [describe_sweep(sweep), METHOD_TITLES[method],
           f"conf = z * bootstrap standard deviation (SALib), interval = {level} percentile interval; "
           f"{bootstrap} bootstrap resamples of the {resampled}, seed {seed}"]
    out.extend(f"Note: {n}" for n in sweep.notes)
    for r in results:
        o = r.output
        out.append("")
        out.append(f"{o.name}" + (f" ({o.long_name})" if o.long_name and o.long_name != o.name else "")
                   + (f" [{o.units}]" if o.units else "") + f": {o.reduction}")
        line = f"  {r.used} of {r.total} {r.unit} used; {_dropped_text(r)}"
        if np.isfinite(o.noise_share):
            line += f"; replicate noise is {100 * o.noise_share:.1f}% of the variance of the member means"
        out.append(line)
        if r.method == "sobol":
            header = ["parameter", "S1", "S1_conf", f"S1 {level}", "ST", "ST_conf", f"ST {level}"]
            rows = [[name, _number(r.values["S1"][p]), _number(r.conf["S1"][p]),
                     _interval(r.low["S1"][p], r.high["S1"][p]), _number(r.values["ST"][p]),
                     _number(r.conf["ST"][p]), _interval(r.low["ST"][p], r.high["ST"][p])]
                    for p, name in enumerate(r.names)]
        elif r.method == "morris":
            header = ["parameter", "mu", "mu*", "mu*_conf", f"mu* {level}", "sigma", "effects"]
            rows = [[name, _number(r.values["mu"][p], None), _number(r.values["mu_star"][p], None),
                     _number(r.conf["mu_star"][p], None),
                     _interval(r.low["mu_star"][p], r.high["mu_star"][p], None),
                     _number(r.values["sigma"][p], None), str(int(r.counts["n_effects"][p]))]
                    for p, name in enumerate(r.names)]
        else:
            header = ["parameter", "SRC", "SRC_conf", f"SRC {level}", "PRCC", "PRCC_conf", f"PRCC {level}"]
            rows = [[name, _number(r.values["SRC"][p]), _number(r.conf["SRC"][p]),
                     _interval(r.low["SRC"][p], r.high["SRC"][p]), _number(r.values["PRCC"][p]),
                     _number(r.conf["PRCC"][p]), _interval(r.low["PRCC"][p], r.high["PRCC"][p])]
                    for p, name in enumerate(r.names)]
        out.append(_table(header, rows))
        if "R2" in r.scalars:
            value, conf, low, high = r.scalars["R2"]
            out.append(f"  R^2 of the linear fit: {_number(value)} ({level}: {_interval(low, high)})"
                       + ("; below 0.7 the SRC explain little of the output (PRCC capture monotonic effects, "
                          "not non-monotonic ones)" if value < 0.7 else ""))
        out.extend(f"  note: {n}" for n in r.notes)
    return "\n".join(out)


def tidy(results):
    """Long table: output, parameter, method, index, value, conf, low, high."""
    import pandas as pd

    rows = []
    for r in results:
        for index, values in r.values.items():
            for p, name in enumerate(r.names):
                conf = r.conf.get(index)
                rows.append((r.output.name, name, r.method, index, float(values[p]),
                             float(conf[p]) if conf is not None else np.nan,
                             float(r.low[index][p]) if index in r.low else np.nan,
                             float(r.high[index][p]) if index in r.high else np.nan))
        for index, (value, conf, low, high) in r.scalars.items():
            rows.append((r.output.name, "", r.method, index, value, conf, low, high))
    return pd.DataFrame(rows, columns=["output", "parameter", "method", "index", "value", "conf", "low", "high"])


def _json_value(value):
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(v) for v in value]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    return value


def result_dict(r):
    """A SALib-compatible dict: names and, per index, the values and `<index>_conf`
    (sobol: S1, ST; morris: mu, mu_star, sigma, mu_star_conf; regression: SRC, PRCC),
    plus the percentile bounds and bookkeeping."""
    d = {"names": list(r.names), "method": r.method}
    for index, values in r.values.items():
        d[index] = values
        if index in r.conf:
            d[index + "_conf"] = r.conf[index]
            d[index + "_low"] = r.low[index]
            d[index + "_high"] = r.high[index]
    for index, (value, conf, low, high) in r.scalars.items():
        d.update({index: value, index + "_conf": conf, index + "_low": low, index + "_high": high})
    d.update(r.counts)
    d.update(long_name=r.output.long_name, units=r.output.units, reduction=r.output.reduction,
             replicate_noise_share=r.output.noise_share, samples_used=r.used, samples_total=r.total,
             samples_unit=r.unit, samples_dropped=r.total - r.used if r.method == "sobol" else
             sum(r.dropped.values()), dropped=r.dropped, notes=r.notes)
    return _json_value(d)


def report_json(sweep, results, bootstrap, confidence, seed, time_reduce):
    return _json_value({
        "file": sweep.path, "design": sweep.design, "method": results[0].method if results else None,
        "members": sweep.members, "replicates": sweep.replicates, "seed": sweep.attrs.get("seed"),
        "bootstrap": bootstrap, "confidence": confidence, "bootstrap_seed": seed, "time_reduce": time_reduce,
        "parameters": [{"name": p.name, "key_path": p.key_path, "distribution": p.distribution,
                        "lower": p.lower, "upper": p.upper, "units": p.units, "long_name": p.long_name}
                       for p in sweep.parameters],
        "notes": sweep.notes,
        "outputs": {r.output.name: result_dict(r) for r in results},
    })

