#include "model/model.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "util/errors.hpp"
#include "util/quoting.hpp"

namespace migrasim {
namespace {

std::string known_names(const std::map<std::string, NodeId>& ids) {
  std::string list;
  for (const auto& [name, id] : ids) list += (list.empty() ? "" : ", ") + name;
  return list;
}

NodeId resolve_node(const Scenario& s, const std::map<std::string, NodeId>& ids,
                    const std::string& name, const std::string& path) {
  const auto it = ids.find(name);
  if (it == ids.end())
    s.fail(path, "unknown node " + quote(name) + "; known nodes: " + known_names(ids));
  return it->second;
}

// Shares `total` out in proportion to `weights`, each share at least `minimum`
// (when the total allows), by largest remainders so the shares add up exactly.
std::vector<std::uint32_t> share_out(std::uint64_t total, const std::vector<double>& weights,
                                     std::uint32_t minimum) {
  const std::size_t n = weights.size();
  std::vector<std::uint32_t> shares(n, 0);
  std::uint64_t floor_total = static_cast<std::uint64_t>(minimum) * n;
  if (floor_total > total) floor_total = 0, minimum = 0;
  for (auto& s : shares) s = minimum;
  const double free = static_cast<double>(total - floor_total);
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::pair<double, std::size_t>> remainder;
  std::uint64_t assigned = floor_total;
  for (std::size_t k = 0; k < n; ++k) {
    const double exact = free * weights[k] / weight_sum;
    const auto whole = static_cast<std::uint32_t>(std::floor(exact));
    shares[k] += whole;
    assigned += whole;
    remainder.emplace_back(-(exact - whole), k);
  }
  std::sort(remainder.begin(), remainder.end());
  for (std::size_t k = 0; assigned < total; ++k, ++assigned) ++shares[remainder[k % n].second];
  return shares;
}

// Returns, for each compiled edge, its index in the scenario file.
std::vector<std::size_t> compile_nodes_and_edges(const Scenario& s, Model& m,
                                                 std::map<std::string, NodeId>& ids) {
  if (s.nodes.size() >= kNone) s.fail("route.nodes", "too many nodes");
  if (s.edges.size() >= kNone) s.fail("route.edges", "too many edges");
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const std::string path = "route.nodes[" + std::to_string(i) + "]";
    if (!ids.emplace(s.nodes[i].name, static_cast<NodeId>(i)).second) {
      s.fail(path, "a node named '" + s.nodes[i].name + "' is already defined");
    }
    m.node_name.push_back(s.nodes[i].name);
    m.node_kind.push_back(s.nodes[i].kind);
  }

  // Edges sorted by origin node (stable: the file order among siblings is the
  // order of choice weights), so a node's outgoing edges are one range.
  std::vector<std::size_t> order(s.edges.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<NodeId> from(s.edges.size()), to(s.edges.size());
  for (std::size_t i = 0; i < s.edges.size(); ++i) {
    const std::string path = "route.edges[" + std::to_string(i) + "]";
    from[i] = resolve_node(s, ids, s.edges[i].from, path + ".from");
    to[i] = resolve_node(s, ids, s.edges[i].to, path + ".to");
    if (m.node_kind[from[i]] == NodeKind::kDestination) {
      s.fail(path + ".from", "'" + s.edges[i].from + "' is a destination; no edge may leave it");
    }
    if (m.node_kind[to[i]] == NodeKind::kOrigin) {
      s.fail(path + ".to", "'" + s.edges[i].to + "' is an origin; no edge may enter it");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (from[j] == from[i] && to[j] == to[i]) {
        s.fail(path, "duplicate edge " + s.edges[i].from + " -> " + s.edges[i].to);
      }
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return from[a] < from[b]; });

  const std::size_t nnodes = m.node_count();
  m.node_first_edge.assign(nnodes + 1, 0);
  const double dt = m.step_days;
  for (std::size_t k : order) {
    const EdgeSpec& e = s.edges[k];
    const auto steps = [dt](double days) { return std::max(1.0, std::round(days / dt)); };
    if (steps(e.travel_days.highest()) > 65535)
      s.fail("route.edges[" + std::to_string(k) + "]", "travel_days is too long for step_days");
    m.edge_from.push_back(from[k]);
    m.edge_to.push_back(to[k]);
    m.edge_travel_steps.push_back(tabulate<std::uint16_t>(m, e.travel_days, steps));
    const StepTable<std::uint16_t>& travel = m.edge_travel_steps.back();
    m.edge_longest_travel_steps.push_back(
        travel.varies() ? *std::max_element(travel.per_step.begin(), travel.per_step.end())
                        : travel.constant);
    m.edge_cost_usd.push_back(tabulate(m, e.cost_usd, [](double usd) { return usd; }));
    m.edge_death_probability.push_back(tabulate(
        m, e.mortality_per_day, [dt](double rate) { return probability_per_step(rate, dt); }));
    m.edge_death_hazard.push_back(
        tabulate(m, e.mortality_per_day, [dt](double rate) { return rate * dt; }));
    m.edge_smuggler_rule.push_back(e.smuggler);
    m.edge_choice_weight.push_back(tabulate(m, e.choice_weight, [](double w) { return w; }));
    ++m.node_first_edge[from[k] + 1];
  }
  for (std::size_t n = 0; n < nnodes; ++n) m.node_first_edge[n + 1] += m.node_first_edge[n];
  return order;
}

// Every node an agent can stand on must lead somewhere: no dead ends, no
// cycles (an agent could walk forever), no nodes no one can reach.
void check_route_graph(const Scenario& s, const Model& m,
                       const std::vector<std::size_t>& edge_in_file) {
  const std::size_t nnodes = m.node_count();
  for (std::size_t n = 0; n < nnodes; ++n) {
    const std::string path = "route.nodes[" + std::to_string(n) + "]";
    const bool has_exit = m.node_first_edge[n + 1] > m.node_first_edge[n];
    if (m.node_kind[n] != NodeKind::kDestination && !has_exit) {
      s.fail(path, "node '" + m.node_name[n] +
                       "' has no outgoing edge; only destination nodes may end a route");
    }
    double highest_weight = 0.0;
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) {
      const StepTable<double>& w = m.edge_choice_weight[e];
      highest_weight =
          std::max({highest_weight, w.constant,
                    w.varies() ? *std::max_element(w.per_step.begin(), w.per_step.end()) : 0.0});
    }
    if (has_exit && highest_weight <= 0.0) {
      s.fail(path, "every edge leaving '" + m.node_name[n] + "' has choice_weight 0");
    }
  }
  // Depth-first search from every origin: colour 1 = on the stack, 2 = done.
  std::vector<int> colour(nnodes, 0);
  std::vector<std::pair<NodeId, EdgeId>> stack;
  for (std::size_t origin = 0; origin < nnodes; ++origin) {
    if (m.node_kind[origin] != NodeKind::kOrigin || colour[origin] != 0) continue;
    stack.emplace_back(static_cast<NodeId>(origin), m.node_first_edge[origin]);
    colour[origin] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == m.node_first_edge[node + 1]) {
        colour[node] = 2;
        stack.pop_back();
        continue;
      }
      const EdgeId edge = next++;
      const NodeId child = m.edge_to[edge];
      if (colour[child] == 1) {
        s.fail("route.edges[" + std::to_string(edge_in_file[edge]) + "]",
               "this edge closes a cycle through '" + m.node_name[child] +
                   "'; routes must lead from origins to destinations");
      }
      if (colour[child] == 0) {
        colour[child] = 1;
        stack.emplace_back(child, m.node_first_edge[child]);
      }
    }
  }
  for (std::size_t n = 0; n < nnodes; ++n) {
    if (colour[n] == 0) {
      s.fail("route.nodes[" + std::to_string(n) + "]",
             "node '" + m.node_name[n] + "' cannot be reached from any origin node");
    }
  }
}

void compile_regions(const Scenario& s, Model& m, const std::map<std::string, NodeId>& ids) {
  std::map<std::string, std::size_t> seen;
  double total_share = 0.0;
  for (std::size_t r = 0; r < s.regions.size(); ++r) {
    const RegionSpec& region = s.regions[r];
    const std::string path = "regions[" + std::to_string(r) + "]";
    if (!seen.emplace(region.name, r).second)
      s.fail(path, "a region named '" + region.name + "' is already defined");
    const NodeId origin = resolve_node(s, ids, region.origin, path + ".origin");
    if (m.node_kind[origin] != NodeKind::kOrigin) {
      s.fail(path + ".origin", "'" + region.origin + "' is a " + to_string(m.node_kind[origin]) +
                                   " node; a region's origin must be of kind origin");
    }
    m.region_name.push_back(region.name);
    m.region_origin.push_back(origin);
    m.region_hardship.push_back(region.economic_hardship);
    m.region_repression.push_back(region.repression);
    m.region_exit_restriction.push_back(region.exit_restriction);
    total_share += region.population_share;
  }
  if (s.regions.size() >= kNone) s.fail("regions", "too many regions");
  if (total_share <= 0.0) s.fail("regions", "population shares add up to 0");

  // Regions own contiguous blocks of agents, sized by largest remainders so the
  // blocks add up to exactly the agent count.
  const std::size_t nregions = s.regions.size();
  std::vector<double> shares;
  for (const RegionSpec& region : s.regions) shares.push_back(region.population_share);
  const std::vector<std::uint32_t> count = share_out(m.agents, shares, 0);
  m.region_first_agent.assign(nregions + 1, 0);
  for (std::size_t r = 0; r < nregions; ++r)
    m.region_first_agent[r + 1] = m.region_first_agent[r] + count[r];
}

// Each region's communities get Zipf rank sizes; communities are numbered
// region after region, largest first, and own contiguous blocks of agents.
void compile_communities(const Scenario& s, Model& m) {
  const std::size_t nregions = m.region_count();
  std::vector<double> region_agents(nregions);
  for (std::size_t r = 0; r < nregions; ++r) {
    region_agents[r] = m.region_first_agent[r + 1] - m.region_first_agent[r];
  }
  const auto per_region =
      share_out(static_cast<std::uint64_t>(s.communities.count), region_agents, 1);
  m.community_first_agent.assign(1, 0);
  for (std::size_t r = 0; r < nregions; ++r) {
    const std::uint32_t members = m.region_first_agent[r + 1] - m.region_first_agent[r];
    const std::uint32_t groups = std::max<std::uint32_t>(1, std::min(per_region[r], members));
    std::vector<double> weights(groups);
    for (std::uint32_t k = 0; k < groups; ++k)
      weights[k] = std::pow(k + 1.0, -s.communities.size_exponent);
    for (std::uint32_t size : share_out(members, weights, 1)) {
      m.community_first_agent.push_back(m.community_first_agent.back() + size);
      m.community_region.push_back(static_cast<RegionId>(r));
    }
  }
}

// Stocks' agents follow those at home, stock after stock; each stock's agents
// are shared out between its region's communities in proportion to their
// sizes (largest remainders: no draw, the same for every replicate).
void compile_initial_stocks(const Scenario& s, Model& m, const std::map<std::string, NodeId>& ids) {
  std::map<std::string, RegionId> regions;
  for (std::size_t r = 0; r < m.region_count(); ++r)
    regions.emplace(m.region_name[r], static_cast<RegionId>(r));
  m.home_agents = m.agents;
  m.community_stock_members.assign(m.community_count(), 0);
  m.stock_first_agent.assign(1, m.home_agents);
  std::uint64_t total = m.home_agents;
  for (std::size_t k = 0; k < s.initial_stocks.size(); ++k) {
    const InitialStockSpec& stock = s.initial_stocks[k];
    const std::string path = "initial_stocks[" + std::to_string(k) + "]";
    const NodeId node = resolve_node(s, ids, stock.node, path + ".node");
    const NodeKind kind = m.node_kind[node];
    if (kind == NodeKind::kOrigin || kind == NodeKind::kDestination) {
      s.fail(path + ".node", quote(stock.node) + " is " +
                                 (kind == NodeKind::kOrigin ? "an origin" : "a destination") +
                                 " node; a stock stands at a transit or border node");
    }
    const auto region = regions.find(stock.region);
    if (region == regions.end()) {
      std::string known;
      for (const std::string& name : m.region_name) known += (known.empty() ? "" : ", ") + name;
      s.fail(path + ".region",
             "unknown region " + quote(stock.region) + "; known regions: " + known);
    }
    const RegionId r = region->second;
    const auto agents =
        static_cast<std::uint64_t>(std::llround(stock.persons / m.persons_per_agent));
    total += agents;
    if (total > (std::uint64_t{1} << 31))
      s.fail(path + ".persons", "too many agents in all (at most 2^31)");
    m.stock_node.push_back(node);
    m.stock_region.push_back(r);
    m.stock_status.push_back(stock.status);
    m.stock_first_agent.push_back(static_cast<std::uint32_t>(total));
    std::vector<double> sizes;
    std::size_t first_community = 0;
    while (m.community_region[first_community] != r) ++first_community;
    for (std::size_t c = first_community; c < m.community_count() && m.community_region[c] == r;
         ++c) {
      sizes.push_back(m.community_first_agent[c + 1] - m.community_first_agent[c]);
    }
    // A region with nobody at home still has its (empty) groups: share evenly.
    if (std::all_of(sizes.begin(), sizes.end(), [](double size) { return size == 0.0; }))
      std::fill(sizes.begin(), sizes.end(), 1.0);
    const std::vector<std::uint32_t> members = share_out(agents, sizes, 0);
    for (std::size_t j = 0; j < members.size(); ++j) {
      m.community_stock_members[first_community + j] += members[j];
      m.stock_agent_community.insert(m.stock_agent_community.end(), members[j],
                                     static_cast<CommunityId>(first_community + j));
    }
  }
  m.agents = static_cast<std::uint32_t>(total);
}

// What the cheapest ways cost: edges that require a smuggler at the lowest
// starting fee among the networks covering them.
void compile_route_costs(Model& m) {
  m.edge_required_fee_usd.assign(m.edge_count(), 0.0);
  for (std::size_t e = 0; e < m.edge_count(); ++e) {
    if (m.edge_smuggler_rule[e] != SmugglerRule::kRequired) continue;
    double& fee = m.edge_required_fee_usd[e];
    fee = std::numeric_limits<double>::infinity();
    for (std::uint32_t k = m.edge_first_network[e]; k < m.edge_first_network[e + 1]; ++k) {
      fee = std::min(fee, m.network_initial_fee_usd[m.edge_networks[k]]);
    }
  }
  bool costs_vary = false;
  std::vector<double> edge_cost(m.edge_count());
  for (std::size_t e = 0; e < m.edge_count(); ++e) {
    edge_cost[e] = m.edge_cost_usd[e].at(0);
    costs_vary = costs_vary || m.edge_cost_usd[e].varies();
  }
  m.route_costs_vary = costs_vary;
  m.node_cost_to_destination.resize(m.node_count());
  m.region_route_cost_usd.resize(m.region_count());
  route_costs(m, edge_cost.data(), m.node_cost_to_destination.data(),
              m.region_route_cost_usd.data());
}

void compile_smugglers(const Scenario& s, Model& m, const std::map<std::string, NodeId>& ids,
                       const std::vector<std::size_t>& edge_in_file) {
  if (s.smugglers.size() >= kNone) s.fail("smugglers", "too many smuggling networks");
  std::vector<std::vector<NetworkId>> covering(m.edge_count());
  for (std::size_t k = 0; k < s.smugglers.size(); ++k) {
    const SmugglerSpec& n = s.smugglers[k];
    const std::string path = "smugglers[" + std::to_string(k) + "]";
    for (std::size_t j = 0; j < k; ++j) {
      if (s.smugglers[j].name == n.name)
        s.fail(path, "a network named '" + n.name + "' is already defined");
    }
    for (std::size_t c = 0; c < n.covers.size(); ++c) {
      const std::string cover_path = path + ".covers[" + std::to_string(c) + "]";
      const NodeId from = resolve_node(s, ids, n.covers[c].first, cover_path);
      const NodeId to = resolve_node(s, ids, n.covers[c].second, cover_path);
      EdgeId edge = kNone;
      for (EdgeId e = m.node_first_edge[from]; e < m.node_first_edge[from + 1]; ++e) {
        if (m.edge_to[e] == to) edge = e;
      }
      if (edge == kNone) {
        s.fail(cover_path, "there is no edge " + n.covers[c].first + " -> " + n.covers[c].second);
      }
      if (m.edge_smuggler_rule[edge] == SmugglerRule::kNever) {
        s.fail(cover_path,
               "edge " + n.covers[c].first + " -> " + n.covers[c].second +
                   " has smuggler: none; make it optional or required to let networks sell it");
      }
      covering[edge].push_back(static_cast<NetworkId>(k));
    }
    m.network_name.push_back(n.name);
    m.network_initial_capacity.push_back(n.capacity_per_day * m.step_days / m.persons_per_agent);
    m.network_initial_fee_usd.push_back(n.fee_usd);
    m.network_initial_reputation.push_back(n.initial_reputation);
    const double dt = m.step_days;
    const auto as_is = [](double x) { return x; };
    const auto per_step = [dt](double rate) { return rate * dt; };
    const auto agents_per_step = [&m](double persons_per_day) {
      return persons_per_day * m.step_days / m.persons_per_agent;
    };
    m.network_min_fee_usd.push_back(tabulate(m, n.min_fee_usd, as_is));
    m.network_max_fee_usd.push_back(tabulate(m, n.max_fee_usd, as_is));
    m.network_price_response.push_back(tabulate(m, n.price_response_per_day, per_step));
    m.network_cost_per_client_usd.push_back(tabulate(m, n.cost_per_client_usd, as_is));
    m.network_recruitment.push_back(tabulate(m, n.recruitment_rate_per_day, per_step));
    m.network_max_capacity.push_back(tabulate(m, n.max_capacity_per_day, agents_per_step));
    m.network_loss_probability.push_back(
        tabulate(m, n.enforcement_loss_rate_per_day,
                 [dt](double r) { return probability_per_step(r, dt); }));
    m.network_coercion_probability.push_back(tabulate(m, n.coercion_probability, as_is));
    m.network_coercion_probability_in_debt.push_back(
        tabulate(m, n.coercion_probability_in_debt, as_is));
    m.network_mortality_multiplier.push_back(tabulate(m, n.client_mortality_multiplier, as_is));
    m.network_advertising_hazard.push_back(tabulate(m, n.advertising_rate_per_day, per_step));
    m.network_falsified_documents_probability.push_back(
        tabulate(m, n.falsified_documents_probability, as_is));
  }
  m.edge_first_network.assign(1, 0);
  for (std::size_t e = 0; e < m.edge_count(); ++e) {
    if (m.edge_smuggler_rule[e] == SmugglerRule::kRequired && covering[e].empty()) {
      s.fail("route.edges[" + std::to_string(edge_in_file[e]) + "]",
             "smuggler: required, but no smuggling network covers " + m.node_name[m.edge_from[e]] +
                 " -> " + m.node_name[m.edge_to[e]]);
    }
    m.edge_networks.insert(m.edge_networks.end(), covering[e].begin(), covering[e].end());
    m.edge_first_network.push_back(static_cast<std::uint32_t>(m.edge_networks.size()));
  }
}

// Whether a forward route leads from `from` to `to` (not counting staying put).
bool leads_to(const Model& m, NodeId from, NodeId to) {
  std::vector<bool> seen(m.node_count(), false);
  std::vector<NodeId> stack{from};
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) {
      const NodeId next = m.edge_to[e];
      if (next == to) return true;
      if (!seen[next]) {
        seen[next] = true;
        stack.push_back(next);
      }
    }
  }
  return false;
}

// A checkpoint's return upstream. Returns are the only backward moves, so the
// node sent back to must lie on a forward route into the checkpoint: then the
// journey from it is the same acyclic route as before.
void compile_return(const Scenario& s, Model& m, const std::map<std::string, NodeId>& ids,
                    const CheckpointSpec& spec, const std::string& path, NodeId node) {
  const auto as_is = [](double x) { return x; };
  NodeId to = kNone;
  if (spec.return_to) {
    to = resolve_node(s, ids, *spec.return_to, path + ".return_to");
    if (m.node_kind[to] == NodeKind::kDestination || !leads_to(m, to, node)) {
      s.fail(path + ".return_to", "node " + quote(*spec.return_to) +
                                      " is not upstream of checkpoint " + quote(spec.name) +
                                      " (no route leads from it to '" + m.node_name[node] + "')");
    }
    m.any_returns = true;
  }
  m.checkpoint_return_node.push_back(to);
  m.checkpoint_return_probability.push_back(
      to == kNone ? constant_table(0.0) : tabulate(m, spec.return_probability, as_is));
  const double dt = m.step_days;
  const auto steps = [dt](double days) { return days <= 0.0 ? 0 : steps_covering(days, dt); };
  if (steps(spec.detention_days.highest()) > 65535)
    s.fail(path + ".detention_days", "detention_days is too long for step_days");
  m.checkpoint_detention_steps.push_back(tabulate<std::uint16_t>(m, spec.detention_days, steps));
  m.checkpoint_return_cost_usd.push_back(tabulate(m, spec.return_cost_usd, as_is));
}

void compile_checkpoints(const Scenario& s, Model& m, const std::map<std::string, NodeId>& ids) {
  m.node_checkpoint.assign(m.node_count(), kNone);
  // Which checkpoints a traveller has passed is kept in 32 bits.
  if (s.checkpoints.size() > 32) s.fail("checkpoints", "at most 32 checkpoints are supported");
  for (std::size_t c = 0; c < s.checkpoints.size(); ++c) {
    const CheckpointSpec& spec = s.checkpoints[c];
    const std::string path = "checkpoints[" + std::to_string(c) + "]";
    const NodeId node = resolve_node(s, ids, spec.node, path + ".node");
    if (m.node_kind[node] == NodeKind::kOrigin) {
      s.fail(path + ".node", "checkpoints cannot stand at origin nodes ('" + spec.node + "')");
    }
    if (m.node_checkpoint[node] != kNone) {
      s.fail(path + ".node", "node '" + spec.node + "' already has checkpoint '" +
                                 m.checkpoint_name[m.node_checkpoint[node]] + "'");
    }
    for (const auto& other : m.checkpoint_name) {
      if (other == spec.name)
        s.fail(path, "a checkpoint named '" + spec.name + "' is already defined");
    }
    m.node_checkpoint[node] = static_cast<CheckpointId>(c);
    m.checkpoint_name.push_back(spec.name);
    m.checkpoint_node.push_back(node);
    const auto as_is = [](double x) { return x; };
    m.checkpoint_detection_probability.push_back(tabulate(m, spec.detection_probability, as_is));
    m.checkpoint_capacity_agents.push_back(
        spec.throughput_per_day
            ? tabulate(m, *spec.throughput_per_day,
                       [&m](double persons) { return persons * m.step_days / m.persons_per_agent; })
            : constant_table(std::numeric_limits<double>::infinity()));
    m.checkpoint_asylum_claim_probability.push_back(
        tabulate(m, spec.asylum_claim_probability, as_is));
    m.checkpoint_document_sensitivity.push_back(tabulate(m, spec.document_sensitivity, as_is));
    m.checkpoint_high_risk_sensitivity.push_back(tabulate(m, spec.high_risk_sensitivity, as_is));
    m.checkpoint_false_positive_rate.push_back(tabulate(m, spec.false_positive_rate, as_is));
    m.checkpoint_evasion_hazard.push_back(
        tabulate(m, spec.evasion_rate_per_day, [&m](double rate) { return rate * m.step_days; }));
    m.checkpoint_shared_match_rate.push_back(tabulate(m, spec.shared_data_match_rate, as_is));
    compile_return(s, m, ids, spec, path, node);
  }
  // Partners are resolved once every checkpoint is known.
  for (std::size_t c = 0; c < s.checkpoints.size(); ++c) {
    std::uint32_t mask = 0;
    for (std::size_t p = 0; p < s.checkpoints[c].partners.size(); ++p) {
      const std::string& partner = s.checkpoints[c].partners[p];
      const auto it = std::find(m.checkpoint_name.begin(), m.checkpoint_name.end(), partner);
      const std::string path =
          "checkpoints[" + std::to_string(c) + "].partners[" + std::to_string(p) + "]";
      if (it == m.checkpoint_name.end()) s.fail(path, "unknown checkpoint " + quote(partner));
      if (static_cast<std::size_t>(it - m.checkpoint_name.begin()) == c) {
        s.fail(path, "a checkpoint cannot be its own partner");
      }
      mask |= 1u << (it - m.checkpoint_name.begin());
    }
    m.checkpoint_partner_mask.push_back(mask);
  }
}

// The destinations reachable from `node` (itself included).
std::vector<NodeId> destinations_from(const Model& m, NodeId node) {
  std::vector<bool> seen(m.node_count(), false);
  std::vector<NodeId> stack{node}, found;
  seen[node] = true;
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    if (m.node_kind[n] == NodeKind::kDestination) found.push_back(n);
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) {
      if (!seen[m.edge_to[e]]) {
        seen[m.edge_to[e]] = true;
        stack.push_back(m.edge_to[e]);
      }
    }
  }
  return found;
}

// Asylum systems, and which one hears the claims made at each node: the
// system naming the node; else the one system naming every destination that
// can be reached from it that any system names. A checkpoint where a claim
// can be made needs exactly one.
void compile_asylum_systems(const Scenario& s, Model& m, const std::map<std::string, NodeId>& ids) {
  const std::uint16_t kUnset = kNone;
  m.node_asylum_system.assign(m.node_count(), s.asylum_is_list ? kUnset : 0);
  if (s.asylum.size() >= kNone) s.fail("asylum", "too many asylum systems");
  for (std::size_t k = 0; k < s.asylum.size(); ++k) {
    const AsylumSystemSpec& spec = s.asylum[k];
    const std::string path = s.asylum_is_list ? "asylum[" + std::to_string(k) + "]" : "asylum";
    if (std::find(m.asylum_system_name.begin(), m.asylum_system_name.end(), spec.name) !=
        m.asylum_system_name.end()) {
      s.fail(path, "an asylum system named '" + spec.name + "' is already defined");
    }
    for (std::size_t j = 0; j < spec.nodes.size(); ++j) {
      const std::string node_path = path + ".nodes[" + std::to_string(j) + "]";
      const NodeId n = resolve_node(s, ids, spec.nodes[j], node_path);
      if (m.node_asylum_system[n] != kUnset) {
        s.fail(node_path, "node '" + spec.nodes[j] + "' already belongs to asylum system '" +
                              m.asylum_system_name[m.node_asylum_system[n]] + "'");
      }
      m.node_asylum_system[n] = static_cast<std::uint16_t>(k);
    }
    m.asylum_system_name.push_back(spec.name);
    const auto as_is = [](double x) { return x; };
    m.asylum_capacity_agents.push_back(
        spec.capacity_per_day
            ? tabulate(m, *spec.capacity_per_day,
                       [&m](double persons) { return persons * m.step_days / m.persons_per_agent; })
            : constant_table(std::numeric_limits<double>::infinity()));
    m.asylum_min_processing_steps.push_back(tabulate<std::int32_t>(
        m, spec.min_processing_days,
        [&m](double wait_days) { return steps_covering(wait_days, m.step_days); }));
    m.asylum_claim_multiplier.push_back(tabulate(m, spec.claim_probability_multiplier, as_is));
    m.asylum_grant_multiplier.push_back(tabulate(m, spec.grant_probability_multiplier, as_is));
    m.asylum_min_claim_strength.push_back(tabulate(m, spec.min_claim_strength, as_is));
    m.asylum_removal_probability.push_back(tabulate(m, spec.removal_probability, as_is));
    m.asylum_removal_cost_usd.push_back(tabulate(m, spec.removal_cost_usd, as_is));
  }
  if (!s.asylum_is_list) return;
  // Nodes no system names hear claims through the destinations they lead to.
  std::vector<std::uint16_t> named = m.node_asylum_system;
  for (std::size_t n = 0; n < m.node_count(); ++n) {
    if (named[n] != kUnset) continue;
    std::uint16_t system = kUnset;
    bool ambiguous = false;
    std::string systems;
    for (const NodeId d : destinations_from(m, static_cast<NodeId>(n))) {
      if (named[d] == kUnset) continue;
      if (system != kUnset && named[d] != system) ambiguous = true;
      if (systems.find("'" + m.asylum_system_name[named[d]] + "'") == std::string::npos) {
        systems += (systems.empty() ? "'" : ", '") + m.asylum_system_name[named[d]] + "'";
      }
      system = named[d];
    }
    m.node_asylum_system[n] = ambiguous ? kUnset : system;
    const CheckpointId c = m.node_checkpoint[n];
    if (c == kNone || m.node_asylum_system[n] != kUnset) continue;
    const StepTable<double>& claim = m.checkpoint_asylum_claim_probability[c];
    const bool claims = claim.varies() ? std::any_of(claim.per_step.begin(), claim.per_step.end(),
                                                     [](double p) { return p > 0.0; })
                                       : claim.constant > 0.0;
    if (!claims) continue;
    const std::string where = "checkpoints[" + std::to_string(c) + "]";
    if (ambiguous) {
      s.fail(where, "claims made at node '" + m.node_name[n] + "' could go to asylum systems " +
                        systems + " (it leads to destinations of each): name '" + m.node_name[n] +
                        "' in the nodes of the system that hears them");
    }
    s.fail(where, "claims can be made at node '" + m.node_name[n] +
                      "', but no asylum system hears them: name it, or a destination it leads "
                      "to, in the nodes of an asylum system");
  }
}

}  // namespace

// The graph is a DAG, so |nodes| rounds of relaxation settle every cost.
void route_costs(const Model& m, const double* edge_cost_usd, double* node_cost,
                 double* region_cost) {
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t n = 0; n < m.node_count(); ++n) {
    node_cost[n] = m.node_kind[n] == NodeKind::kDestination ? 0.0 : inf;
  }
  for (std::size_t round = 0; round < m.node_count(); ++round) {
    for (std::size_t e = 0; e < m.edge_count(); ++e) {
      const double price = m.edge_smuggler_rule[e] == SmugglerRule::kRequired
                               ? m.edge_required_fee_usd[e]
                               : edge_cost_usd[e];
      node_cost[m.edge_from[e]] =
          std::min(node_cost[m.edge_from[e]], price + node_cost[m.edge_to[e]]);
    }
  }
  for (std::size_t r = 0; r < m.region_count(); ++r) region_cost[r] = node_cost[m.region_origin[r]];
}

Model compile(const Scenario& s) {
  Model m;
  m.scenario_name = s.name;
  m.scenario_file = s.file;
  m.scenario_text = s.text;
  if (s.source_files.size() > 1) {
    for (const auto& [path, text] : s.source_files)
      m.scenario_sources += "# ---- " + path + "\n" + text + "\n";
  }
  m.overrides = s.overrides;

  m.start_date = s.time.start;
  m.step_days = s.time.step_days;
  const double days = days_between(s.time.start, s.time.end) + 1;
  m.steps = steps_covering(days, m.step_days);

  m.seed = s.run.seed;
  m.replicates = s.run.replicates;

  m.agents = static_cast<std::uint32_t>(s.population.agents);
  m.persons_per_agent = s.population.persons_per_agent;
  m.savings_usd = s.population.savings_usd;
  m.risk_tolerance = s.population.risk_tolerance;
  m.asylum_claim_strength = s.population.asylum_claim_strength;
  m.falsified_documents_share = s.population.falsified_documents_share;
  m.high_risk_share = s.population.high_risk_share;

  std::map<std::string, NodeId> ids;
  const std::vector<std::size_t> edge_in_file = compile_nodes_and_edges(s, m, ids);
  compile_regions(s, m, ids);
  check_route_graph(s, m, edge_in_file);
  compile_checkpoints(s, m, ids);
  compile_asylum_systems(s, m, ids);
  compile_smugglers(s, m, ids, edge_in_file);
  compile_communities(s, m);
  compile_initial_stocks(s, m, ids);
  compile_route_costs(m);
  compile_policies(s, m);

  const InformationSpec& info = s.information;
  m.info_initial_awareness = info.initial_route_awareness;
  m.info_discovery_hazard = info.discovery_rate_per_day * m.step_days;
  m.info_contagion_hazard = info.contagion_rate_per_day * m.step_days;
  m.info_global_mixing = info.global_mixing;
  m.info_guide_hazard = info.guide_rate_per_day * m.step_days;
  m.info_memory_decay = std::exp(-m.step_days / info.memory_days);
  m.info_learning_weight = probability_per_step(info.learning_rate_per_day, m.step_days);
  m.info_prior_success = info.prior_success;
  m.info_prior_danger = info.prior_danger;
  m.info_prior_weight = info.prior_weight;
  m.info_death_salience = info.death_salience;
  m.info_initial_legal_awareness = info.initial_legal_awareness;
  m.info_legal_awareness_probability =
      probability_per_step(info.legal_awareness_rate_per_day, m.step_days);

  m.decision_base_hazard = s.decisions.base_rate_per_day * m.step_days;
  m.decision_hardship_weight = s.decisions.hardship_weight;
  m.decision_repression_weight = s.decisions.repression_weight;
  m.decision_success_weight = s.decisions.success_weight;
  m.decision_danger_weight = s.decisions.danger_weight;
  m.decision_cost_elasticity = s.decisions.cost_elasticity;
  m.route_cost_sensitivity = s.decisions.route_cost_sensitivity;
  m.smuggler_preference = s.decisions.smuggler_preference;
  if (s.decisions.smuggler_wait_days) {
    m.smuggler_wait_steps = steps_covering(*s.decisions.smuggler_wait_days, m.step_days);
  }
  m.reattempt_probability = s.decisions.reattempt_probability;
  m.reattempt_factor_per_return = s.decisions.reattempt_factor_per_return;
  m.reattempt_savings_usd = s.decisions.reattempt_savings_usd;
  m.go_home_probability = s.decisions.go_home_probability;
  if (s.decisions.give_up_after_days) {
    m.give_up_after_steps = steps_covering(*s.decisions.give_up_after_days, m.step_days);
  }

  return m;
}

}  // namespace migrasim
