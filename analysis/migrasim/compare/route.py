"""The route of a comparison: its graph, where to draw it, and the window totals of
every series the files hold per node, edge, checkpoint and smuggling network.

The graph comes from the scenario each file stores (its `scenario_yaml`
attribute: route nodes and their kinds, edges, checkpoints and the edges each
network covers), completed from the files' coordinates (the `node` labels, and
`edge_from`/`edge_to` or "A->B" labels on an `edge` axis). The series are
whatever variables the files have on those axes (runs.ROUTE_DIMS), so a series
added to the run files shows up here without a change.

A file without per-edge series still shows flows on the edges it can: an edge that
is the only way into its end node carries every arrival there.
"""
import dataclasses

import numpy as np
import yaml

from migrasim.compare.comparison import quantiles
from migrasim.compare.runs import CompareError
from migrasim.windows import reduce_time, summed_units

EDGE_SEPARATOR = "->"
# How far (in layers) an arc keeps from the nodes it passes.
CLEARANCE = 0.3


@dataclasses.dataclass
class Graph:
    nodes: list                # names, in scenario order
    kinds: dict                # node -> "origin", "transit", "border", "destination" (or "")
    edges: list                # (from, to), in scenario order
    checkpoints: dict          # checkpoint -> node
    networks: dict             # network -> [(from, to), ...] covered

    def incoming(self, node):
        return [e for e in self.edges if e[1] == node]


def edge_label(edge):
    return f"{edge[0]}{EDGE_SEPARATOR}{edge[1]}"


def _scenario(run):
    """The scenario as run (a dict), or {} when the file's text does not parse."""
    text = str(run.attrs.get("scenario_yaml", "") or "")
    try:
        scenario = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError:
        return {}
    return scenario if isinstance(scenario, dict) else {}


def _as_list(value):
    return value if isinstance(value, list) else []


def run_graph(run):
    """The route of one run: the scenario's, completed by the file's coordinates."""
    scenario = _scenario(run)
    route = scenario.get("route") if isinstance(scenario.get("route"), dict) else {}
    nodes, kinds = [], {}
    for node in _as_list(route.get("nodes")):
        if isinstance(node, dict) and "name" in node:
            nodes.append(str(node["name"]))
            kinds[str(node["name"])] = str(node.get("kind", "") or "")
    edges = [(str(e["from"]), str(e["to"])) for e in _as_list(route.get("edges"))
             if isinstance(e, dict) and "from" in e and "to" in e]
    checkpoints = {str(c["name"]): str(c["node"]) for c in _as_list(scenario.get("checkpoints"))
                   if isinstance(c, dict) and "name" in c and "node" in c}
    networks = {}
    for network in _as_list(scenario.get("smugglers")):
        if isinstance(network, dict) and "name" in network:
            networks[str(network["name"])] = [(str(p[0]), str(p[1])) for p in _as_list(network.get("covers"))
                                              if isinstance(p, list) and len(p) == 2]
    if "node" in run.entities:
        nodes += [n for n in run.entities["node"].labels if n not in nodes]
    if "edge" in run.entities:
        edges += [e for e in file_edges(run.entities["edge"]) if e is not None and e not in edges]
    for a, b in edges:
        nodes += [n for n in (a, b) if n not in nodes]
    return Graph(nodes=nodes, kinds={n: kinds.get(n, "") for n in nodes}, edges=edges,
                 checkpoints=checkpoints, networks=networks)


def file_edges(entities):
    """(from, to) of each entry of an `edge` axis: from its edge_from/edge_to
    coordinates, else from an "A->B" label; None where neither says."""
    froms, tos = entities.aux.get("edge_from"), entities.aux.get("edge_to")
    out = []
    for k, label in enumerate(entities.labels):
        if froms is not None and tos is not None:
            out.append((froms[k], tos[k]))
        elif EDGE_SEPARATOR in label:
            a, b = label.split(EDGE_SEPARATOR, 1)
            out.append((a.strip(), b.strip()))
        else:
            out.append(None)
    return out


def union_graph(graphs):
    """One graph holding every node and edge of the runs' graphs, in first-seen order."""
    out = Graph(nodes=[], kinds={}, edges=[], checkpoints={}, networks={})
    for g in graphs:
        out.nodes += [n for n in g.nodes if n not in out.nodes]
        out.edges += [e for e in g.edges if e not in out.edges]
        for n, kind in g.kinds.items():
            out.kinds[n] = out.kinds.get(n) or kind
        for c, node in g.checkpoints.items():
            out.checkpoints.setdefault(c, node)
        for name, covers in g.networks.items():
            out.networks.setdefault(name, covers)
    return out


def layout(graph):
    """node -> (x, y): x is the node's layer (the longest path to it from a node
    with no way in, so the route reads left to right), y spreads a layer's nodes
    around 0 in the order of their predecessors' positions. Edges closing a cycle
    are ignored for the layers."""
    preds = {n: [a for a, b in graph.edges if b == n and a != n] for n in graph.nodes}
    layer, state = {}, {}

    def visit(node):   # depth-first: a node's layer after its predecessors'; a node on the stack is a cycle
        state[node] = "open"
        best = 0
        for p in preds[node]:
            if state.get(p) == "open":
                continue
            if p not in layer:
                visit(p)
            best = max(best, layer[p] + 1)
        layer[node] = best
        state[node] = "done"

    for node in graph.nodes:
        if node not in layer:
            visit(node)
    positions = {}
    for x in sorted(set(layer.values())):
        members = [n for n in graph.nodes if layer[n] == x]

        def centre(n):
            ys = [positions[p][1] for p in preds[n] if p in positions]
            return (np.mean(ys) if ys else 0.0, graph.nodes.index(n))

        members.sort(key=centre)
        for i, n in enumerate(members):
            positions[n] = (float(x), float(i - (len(members) - 1) / 2.0))
    return positions


def edge_path(positions, edge, points=24):
    """Points (xs, ys) along an edge: a straight line between neighbouring layers,
    else an arc, bent as little as keeps it CLEARANCE away from the other nodes
    (or as far as it gets), so that it neither hides behind the route nor runs
    through a node."""
    (x0, y0), (x1, y1) = positions[edge[0]], positions[edge[1]]
    t = np.linspace(0.0, 1.0, points)
    others = np.array([p for n, p in positions.items() if n not in edge], dtype=float).reshape(-1, 2)
    crossed = any(_on_segment(p, (x0, y0), (x1, y1)) for p in others)
    if abs(x1 - x0) <= 1.0 and not crossed:
        return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    span = np.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / span, (x1 - x0) / span      # unit normal of the chord
    best = None
    for bend in (0.22, -0.22, 0.35, -0.35, 0.5, -0.5):
        # quadratic Bezier whose control point lies 2 * bend * span off the chord's midpoint
        cx, cy = (x0 + x1) / 2 + 2 * bend * span * nx, (y0 + y1) / 2 + 2 * bend * span * ny
        xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1
        ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1
        clearance = (np.min(np.hypot(xs[:, None] - others[:, 0], ys[:, None] - others[:, 1]))
                     if others.size else np.inf)
        if clearance >= CLEARANCE:
            return xs, ys
        if best is None or clearance > best[0]:
            best = (clearance, xs, ys)
    return best[1], best[2]


def _on_segment(p, a, b, tolerance=0.15):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return False
    u = ((px - ax) * dx + (py - ay) * dy) / length2
    if u <= 0.02 or u >= 0.98:
        return False
    return np.hypot(ax + u * dx - px, ay + u * dy - py) < tolerance


@dataclasses.dataclass
class Series:
    """One route series of one run over the window."""
    dim: str
    name: str
    long_name: str
    units: str                 # over the window (a sum of "X per step" is in X)
    reduction: str             # "sum" or "last"
    labels: list               # entities, in file order
    values: np.ndarray         # (replicate, entity) window totals
    replicates: np.ndarray
    ends: list = None          # on the edge axis: (from, to) per entity, None where unknown

    def summary(self, k):
        return quantiles(self.values[:, k])


@dataclasses.dataclass
class RouteComparison:
    graph: Graph                         # every run's nodes and edges
    positions: dict                      # node -> (x, y)
    graphs: list                         # per run
    series: list                         # per run: {(dim, name): Series}
    differences: list                    # per run: {(dim, name): (replicate pair, entity) run - baseline}

    def names(self, dim):
        """The series on `dim` in any run, in first-seen order."""
        return list(dict.fromkeys(name for per_run in self.series for d, name in per_run if d == dim))

    def dims(self):
        """The route axes with series in any run, in first-seen order."""
        return list(dict.fromkeys(d for per_run in self.series for d, _ in per_run))

    def find(self, k, dim, name):
        return self.series[k].get((dim, name))


def window_series(run, idx):
    """{(dim, name): Series} of one run over the window's steps."""
    out = {}
    for dim, entities in run.entities.items():
        for name, data in entities.series.items():
            if np.isnan(data[:, idx, :]).any():
                raise CompareError(f"{run.path}: {name} has unwritten (NaN) values in the window: "
                                   f"an incomplete run file?")
            values = reduce_time(data[:, idx, :], entities.reductions[name], axis=1)
            out[(dim, name)] = Series(dim=dim, name=name, long_name=entities.long_names[name],
                                      units=summed_units(entities.units[name], entities.reductions[name]),
                                      reduction=entities.reductions[name], labels=list(entities.labels),
                                      values=values, replicates=run.replicates,
                                      ends=file_edges(entities) if dim == "edge" else None)
    return out


def paired_entities(base, series):
    """series minus base, replicate pair by replicate pair (common replicate values)
    and entity by entity (common labels, in series' order); NaN where the baseline
    lacks the entity."""
    _, bi, ri = np.intersect1d(base.replicates, series.replicates, return_indices=True)
    out = np.full((bi.size, len(series.labels)), np.nan)
    for k, label in enumerate(series.labels):
        if label in base.labels:
            j = base.labels.index(label)
            out[:, k] = series.values[ri, k] - base.values[bi, j]
    return out


def route_comparison(c):
    """The route and its series over the comparison's window, for every run."""
    graphs = [run_graph(run) for run in c.runs]
    graph = union_graph(graphs)
    series = [window_series(run, idx) for run, idx in zip(c.runs, c.window.indices)]
    differences = []
    for per_run in series:
        differences.append({key: paired_entities(series[0][key], s) for key, s in per_run.items()
                            if key in series[0]})
    return RouteComparison(graph=graph, positions=layout(graph), graphs=graphs, series=series,
                           differences=differences)


def is_deaths(name):
    return "death" in name


# The word in the name of the series that says how many pass along an axis: a
# preference only; any other flow on the axis stands in (flow_series).
PASSING = {"edge": "travers", "node": "arrival", "checkpoint": "apprehen", "network": "client"}


def flow_series(rc, k, dim):
    """The series that measures how many pass along `dim` in run k (an edge's
    traversals, a node's arrivals, a checkpoint's apprehensions): a flow whose
    name has the word PASSING gives, else the first flow on that axis that does
    not count deaths; None if there is none."""
    flows = [s for (d, name), s in rc.series[k].items() if d == dim and s.reduction == "sum"]
    word = PASSING.get(dim, "")
    named = [s for s in flows if word and word in s.name]
    others = [s for s in flows if not is_deaths(s.name)]
    return (named or others or [None])[0]


def deaths_series(rc, k, dim):
    """The flow on `dim` in run k that counts deaths, if any."""
    return next((s for (d, name), s in rc.series[k].items()
                 if d == dim and s.reduction == "sum" and is_deaths(name)), None)


def edge_flows(rc, k):
    """For run k: edge -> (per-replicate totals over the window, how it is known)
    for every edge whose flow the file gives: an `edge` series, or else the
    arrivals at the edge's end node when the edge is its only way in."""
    graph = rc.graphs[k]
    out = {}
    edges = flow_series(rc, k, "edge")
    if edges is not None:
        for j, edge in enumerate(edges.ends):
            if edge is not None:
                out[edge] = (edges.values[:, j], edges.name)
        return out
    arrivals = flow_series(rc, k, "node")
    if arrivals is None:
        return out
    for edge in graph.edges:
        if len(graph.incoming(edge[1])) == 1 and edge[1] in arrivals.labels:
            j = arrivals.labels.index(edge[1])
            out[edge] = (arrivals.values[:, j], f"{arrivals.name} at {edge[1]}, its only way in")
    return out
