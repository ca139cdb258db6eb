"""Cost ranges: unit costs with low, central and high values and their sources
(a costs file such as scenarios/costs/policies.yaml), applied to the runs of a
comparison.

    interventions:
      joint_task_force:                            # an intervention's name in the scenarios
        cost_usd_per_day: {low: 1, central: 2, high: 3}   # low and high optional (no source)
        source: "..."
    downstream:
      removal:
        series: removed                            # a flow of the run files, in persons
        usd_per_person: {low: 1, central: 2, high: 3}
        source: "..."

The file is read strictly: an unknown key, a missing one, a value of the wrong
type, a negative cost or low > central > high is an error naming
file:line:column and the key path (compare.py exits 2). Each intervention's
`central` must equal the `cost_usd_per_day` of the scenario stored in the run
file, and the central costs over the days each intervention was in force must
add up to the run's own `intervention_cost_usd`, so the range is about the
figures that were run.

For each scenario, per replicate: the intervention cost is the sum over its
interventions of the days in force in the window (where `intervention_activity`
is above 0; the engine charges a whole day's cost on every such day) times the
daily cost, at low, central and high values (an intervention without a sourced
range counts at its central value in all three); the downstream cost is the sum
over the downstream items of the window's total of the series times the cost per
person. Against the baseline the paired changes of both are added; since each
item is linear in its unit cost, the lowest and highest net changes take each
item's lower or higher product, whichever is smaller or larger. The cost per
outcome averted is then the median net change over the median effect, at the
low, central and high ends.
"""
import dataclasses

import numpy as np
import yaml

from migrasim.compare.comparison import EFFECTS
from migrasim.compare.runs import CompareError
from migrasim.io import open_checked
from migrasim.windows import reduce_time, time_reduction


@dataclasses.dataclass
class Range:
    low: float            # None when no source gives one
    central: float
    high: float
    where: str            # file:line:col of the mapping

    @property
    def sourced(self):
        return self.low is not None and self.high is not None

    def ends(self):
        return (self.low if self.sourced else self.central, self.central,
                self.high if self.sourced else self.central)


@dataclasses.dataclass
class Item:
    name: str
    cost: Range
    source: str
    series: str = ""      # downstream items only
    series_where: str = ""


@dataclasses.dataclass
class Costs:
    path: str
    interventions: dict   # name -> Item
    downstream: list      # Items


def _where(path, node):
    return f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def _fail(path, node, key, message):
    raise CompareError(f"{_where(path, node)}: {key}: {message}")


def _mapping(path, node, key, allowed, required=()):
    if not isinstance(node, yaml.MappingNode):
        _fail(path, node, key, "expected a mapping")
    out = {}
    for k, v in node.value:
        name = k.value if isinstance(k, yaml.ScalarNode) else None
        sub = f"{key}.{name}" if key else str(name)
        if name in out:
            _fail(path, k, sub, "given twice")
        if allowed is not None and name not in allowed:
            _fail(path, k, sub, f"unknown key (allowed here: {' '.join(sorted(allowed))})")
        out[name] = v
    for r in required:
        if r not in out:
            _fail(path, node, key, f"missing key '{r}'")
    return out


def _number(path, node, key):
    if not isinstance(node, yaml.ScalarNode) or node.tag not in ("tag:yaml.org,2002:int",
                                                                 "tag:yaml.org,2002:float"):
        _fail(path, node, key, f"expected a number, got {getattr(node, 'value', '?')!r}")
    value = yaml.safe_load(node.value) if node.tag.endswith("int") else float(node.value)
    value = float(value)
    if not np.isfinite(value) or value < 0:
        _fail(path, node, key, f"expected a finite number >= 0, got {node.value}")
    return value


def _text(path, node, key):
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        _fail(path, node, key, "expected a non-empty text (say where the figure comes from, or that "
                               "none was found)")
    return str(node.value)


def _range(path, node, key):
    m = _mapping(path, node, key, {"low", "central", "high"}, ("central",))
    values = {k: _number(path, v, f"{key}.{k}") for k, v in m.items()}
    if ("low" in values) != ("high" in values):
        _fail(path, node, key, "give both low and high, or neither (no sourced range)")
    if "low" in values and not values["low"] <= values["central"] <= values["high"]:
        _fail(path, node, key, f"expected low <= central <= high, got {values['low']:g}, "
                               f"{values['central']:g}, {values['high']:g}")
    return Range(values.get("low"), values["central"], values.get("high"), _where(path, node))


def load_costs(path):
    """Reads and checks a costs file. Raises CompareError with file:line:col."""
    path = str(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CompareError(f"{path}: cannot read the costs file: {error}")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise CompareError(f"{where}: not valid YAML: {getattr(error, 'problem', error)}")
    if root is None:
        raise CompareError(f"{path}: the costs file is empty")
    top = _mapping(path, root, "", {"interventions", "downstream"})
    interventions, downstream = {}, []
    if "interventions" in top:
        for name, node in _mapping(path, top["interventions"], "interventions", None).items():
            key = f"interventions.{name}"
            m = _mapping(path, node, key, {"cost_usd_per_day", "source"}, ("cost_usd_per_day", "source"))
            interventions[name] = Item(name, _range(path, m["cost_usd_per_day"], f"{key}.cost_usd_per_day"),
                                       _text(path, m["source"], f"{key}.source"))
    if "downstream" in top:
        for name, node in _mapping(path, top["downstream"], "downstream", None).items():
            key = f"downstream.{name}"
            m = _mapping(path, node, key, {"series", "usd_per_person", "source"},
                         ("series", "usd_per_person", "source"))
            item = Item(name, _range(path, m["usd_per_person"], f"{key}.usd_per_person"),
                        _text(path, m["source"], f"{key}.source"), _text(path, m["series"], f"{key}.series"))
            item.series_where = _where(path, m["series"])
            downstream.append(item)
    return Costs(path=path, interventions=interventions, downstream=downstream)


@dataclasses.dataclass
class CostRanges:
    costs: Costs
    intervention: dict    # label -> (replicates x 3) intervention cost at low, central, high
    downstream: dict      # (label, item) -> (replicates x 3)
    net_change: dict      # label -> (pairs x 3) paired net change of cost: lowest, central, highest
    rows: list            # per scenario and effect: dicts for the table
    notes: list


def _scenario_costs(run):
    """name -> cost_usd_per_day of the interventions in the run's scenario text."""
    text = run.attrs.get("scenario_yaml")
    if not text:
        return {}
    try:
        doc = yaml.safe_load(str(text)) or {}
    except yaml.YAMLError:
        return {}
    out = {}
    for entry in doc.get("interventions") or []:
        if isinstance(entry, dict) and "name" in entry:
            out[str(entry["name"])] = float(entry.get("cost_usd_per_day", 0) or 0)
    return out


def _read_run_extras(run, idx, series_names):
    """Per replicate: days in force of each intervention over the window, and the
    window total of each downstream series."""
    days, totals = {}, {}
    with open_checked(run.path, "run", CompareError) as ds:
        if "intervention" in ds.coords and "intervention_activity" in ds.data_vars:
            names = [str(v.decode() if isinstance(v, bytes) else v) for v in np.asarray(ds["intervention"].values)]
            activity = np.asarray(ds["intervention_activity"].values, dtype=float)   # replicate, time, intervention
            on = (activity[:, idx, :] > 0).sum(axis=1) * run.step_days
            days = {name: on[:, k] for k, name in enumerate(names)}
        for name, where, key in series_names:
            if name not in ds.data_vars or ds[name].dims != ("replicate", "time"):
                raise CompareError(f"{where}: {key}: {run.path} has no series '{name}' on (replicate, time)")
            how = time_reduction(name, ds[name].attrs)
            if how != "sum":
                raise CompareError(f"{where}: {key}: '{name}' is a stock; downstream costs are per person of a "
                                   f"flow")
            totals[name] = reduce_time(np.asarray(ds[name].values, dtype=float)[:, idx], how, axis=1)
    return days, totals


def cost_ranges(c, costs):
    """Cost ranges for a Comparison; `costs` a path or a loaded Costs."""
    costs = costs if isinstance(costs, Costs) else load_costs(costs)
    notes = []
    series = [(item.series, item.series_where, f"downstream.{item.name}.series") for item in costs.downstream]
    intervention, downstream = {}, {}
    unsourced = set()
    for run, idx in zip(c.runs, c.window.indices):
        days, totals = _read_run_extras(run, idx, series)
        in_scenario = _scenario_costs(run)
        n = len(run.replicates)
        total = np.zeros((n, 3))
        for name, d in days.items():
            item = costs.interventions.get(name)
            scenario_cost = in_scenario.get(name)
            if item is None:
                if scenario_cost:
                    notes.append(f"{run.label}: the costs file has no entry for intervention '{name}': counted at "
                                 f"the scenario's {scenario_cost:,.0f} USD a day with no range")
                rate = np.full(3, scenario_cost or 0.0)
                unsourced.add(name)
            else:
                if scenario_cost is not None and scenario_cost != item.cost.central:
                    raise CompareError(f"{item.cost.where}: interventions.{name}.cost_usd_per_day.central: "
                                       f"{item.cost.central:g} differs from the scenario's cost_usd_per_day "
                                       f"{scenario_cost:g} in {run.path}")
                rate = np.array(item.cost.ends())
                if not item.cost.sourced:
                    unsourced.add(name)
            total += d[:, None] * rate[None, :]
        # What the run charged must be what the central costs give, or the
        # ranges would be about other figures (a --set override, another file).
        outcome = c.outcomes[c.runs.index(run)].get("intervention_cost_usd")
        if outcome is not None and not np.allclose(total[:, 1], outcome, rtol=1e-9, atol=1e-6):
            k = int(np.argmax(np.abs(total[:, 1] - outcome)))
            raise CompareError(f"{costs.path}: the central costs give {total[k, 1]:,.0f} USD over the window for "
                               f"replicate {int(run.replicates[k])} of {run.path}, which charged "
                               f"{outcome[k]:,.0f} (intervention_cost_usd): the run's costs are not this file's "
                               f"(a --set override of cost_usd_per_day?)")
        intervention[run.label] = total
        for item in costs.downstream:
            downstream[(run.label, item.name)] = totals[item.series][:, None] * np.array(item.cost.ends())[None, :]
    net_change, rows = {}, []
    base = c.baseline
    for run in c.runs[1:]:
        common = c.pairs[run.label]
        bi = np.searchsorted(base.replicates, common)
        ri = np.searchsorted(run.replicates, common)
        parts = [intervention[run.label][ri] - intervention[base.label][bi]]
        parts += [downstream[(run.label, item.name)][ri] - downstream[(base.label, item.name)][bi]
                  for item in costs.downstream]
        low = sum(np.minimum(p[:, 0], p[:, 2]) for p in parts)
        central = sum(p[:, 1] for p in parts)
        high = sum(np.maximum(p[:, 0], p[:, 2]) for p in parts)
        net = np.stack([low, central, high], axis=1)
        net_change[run.label] = net
        change_int = parts[0]
        change_down = sum(parts[1:]) if len(parts) > 1 else np.zeros_like(parts[0])
        for key, metric, sign, unit in EFFECTS:
            if (run.label, metric) not in c.differences:
                continue
            effect = float(np.median(-sign * c.differences[(run.label, metric)]))
            row = dict(scenario=run.label, key=key, metric=metric, unit=unit, effect=effect,
                       intervention=[float(np.median(change_int[:, k])) for k in range(3)],
                       downstream=[float(np.median(change_down[:, k])) for k in range(3)],
                       net=[float(np.median(net[:, k])) for k in range(3)], per_unit=None, reason="")
            if effect <= 0:
                row["reason"] = "nothing averted" if sign > 0 else "no additional detections"
            else:
                row["per_unit"] = [v / effect for v in row["net"]]
            rows.append(row)
    if unsourced:
        notes.append("no sourced cost range for: " + ", ".join(sorted(unsourced))
                     + " (their central cost is used at both ends)")
    return CostRanges(costs=costs, intervention=intervention, downstream=downstream, net_change=net_change,
                      rows=rows, notes=notes)


def _range_text(values):
    from migrasim.compare.report import fmt_signed
    # At low and high unit costs; a saving is largest at the high end, so sorted.
    central, low, high = values[1], min(values), max(values)
    if low == high:
        return fmt_signed(central)
    return f"{fmt_signed(central)} ({fmt_signed(low)} .. {fmt_signed(high)})"


def costs_table(c, cr):
    from migrasim.compare.report import fmt, fmt_signed
    rows = []
    for r in cr.rows:
        per = "n/a" if r["per_unit"] is None else _range_text(r["per_unit"])
        rows.append([r["scenario"], f"USD per {r['unit']}", fmt_signed(r["effect"]), _range_text(r["intervention"]),
                     _range_text(r["downstream"]), _range_text(r["net"]), per, r["reason"]])
    header = ["scenario", "measure", "effect", "intervention cost change", "downstream cost change",
              "net cost change", "net cost per unit", "note"]
    return header, rows


def sources_table(cr):
    from migrasim.compare.report import fmt
    rows = []
    for name, item in cr.costs.interventions.items():
        low, central, high = item.cost.low, item.cost.central, item.cost.high
        rows.append([name, "USD per day", fmt(low) if low is not None else "n/a", fmt(central),
                     fmt(high) if high is not None else "n/a", item.source])
    for item in cr.costs.downstream:
        rows.append([f"{item.name} ({item.series})", "USD per person", fmt(item.cost.low), fmt(item.cost.central),
                     fmt(item.cost.high), item.source])
    return ["item", "units", "low", "central", "high", "source"], rows


def costs_text(c, cr):
    from migrasim.compare.report import text_table
    out = [f"Cost ranges ({cr.costs.path}): median paired change, central (low .. high); downstream: "
           + (", ".join(f"{i.name} per person of {i.series}" for i in cr.costs.downstream) or "none")]
    header, rows = costs_table(c, cr)
    if rows:
        out.append(text_table(header, rows, numeric={2, 3, 4, 5, 6}))
    out.append("")
    out.append("Unit costs and their sources")
    header, rows = sources_table(cr)
    out.append(text_table(header, rows, numeric={2, 3, 4}))
    out.extend(f"  note: {n}" for n in cr.notes)
    return "\n".join(out)


def costs_html(c, cr, html_table):
    import html
    header, rows = costs_table(c, cr)
    parts = [f"<p>Median paired change against the baseline, central value with the low and high ends of the "
             f"sourced unit costs (<code>{html.escape(cr.costs.path)}</code>).</p>"]
    if rows:
        parts.append(html_table(header, rows, numeric={2, 3, 4, 5, 6}))
    header, rows = sources_table(cr)
    parts.append(html_table(header, rows, numeric={2, 3, 4}, group_first=False))
    if cr.notes:
        parts.append('<p class="small">' + "<br>".join(html.escape(n) for n in cr.notes) + "</p>")
    return "".join(parts)


def costs_tidy(c, cr):
    rows = []
    for r in cr.rows:
        for what in ("intervention", "downstream", "net"):
            for end, v in zip(("low", "central", "high"), r[what]):
                rows.append((r["scenario"], r["key"], f"{what}_cost_change_{end}", v))
        if r["per_unit"] is not None:
            for end, v in zip(("low", "central", "high"), r["per_unit"]):
                rows.append((r["scenario"], r["key"], f"net_cost_per_unit_{end}", v))
    return rows
