#include "engine/invariants.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "engine/home_knowledge.hpp"
#include "engine/stages/journey.hpp"
#include "engine/status_change.hpp"
#include "engine/step.hpp"

namespace migrasim {
namespace {

// Where an agent of each status may be. Every status must have an entry: a new
// status (a return to a transit node, say) without one does not compile.
enum class Placement : std::uint8_t {
  kUnknown,
  kAtOrigin,        // at its home region's origin node
  kOnEdge,          // on an edge leaving its node, with steps left
  kQueuedForEdge,   // waiting at its node for an edge a network covers
  kAtCheckpoint,    // at a node with a checkpoint
  kAnyNode,         // at any valid node
  kDetainedAtNode,  // held at a node a checkpoint returns travellers to, on no edge
};

constexpr Placement placement_of(Status status) {
  switch (status) {
    case Status::kAtHome:
    case Status::kAspiring:
      return Placement::kAtOrigin;
    case Status::kWaitingForSmuggler:
      return Placement::kQueuedForEdge;
    case Status::kInTransit:
      return Placement::kOnEdge;
    case Status::kHeldAtCheckpoint:
      return Placement::kAtCheckpoint;
    case Status::kDetained:
      return Placement::kDetainedAtNode;
    case Status::kInAsylumProcessing:
    case Status::kStayed:
    case Status::kLegalPathway:
    case Status::kAdmitted:
    case Status::kRemoved:
    case Status::kReturned:
    case Status::kEvaded:
    case Status::kDied:
    case Status::kDeniedStaying:
    case Status::kStranded:
      return Placement::kAnyNode;
  }
  return Placement::kUnknown;
}

constexpr std::array<Placement, kStatusCount> kPlacement = [] {
  std::array<Placement, kStatusCount> table{};
  for (std::size_t k = 0; k < kStatusCount; ++k) table[k] = placement_of(static_cast<Status>(k));
  return table;
}();

constexpr bool every_status_placed() {
  for (const Placement p : kPlacement) {
    if (p == Placement::kUnknown) return false;
  }
  return true;
}
static_assert(every_status_placed(),
              "every Status needs a Placement in placement_of(): where may such an agent be?");

// What is wrong with agent i, or nullptr. No allocation on the way to "nothing":
// this runs for every agent once a step.
const char* agent_problem(const Model& m, const State& s, std::size_t i) {
  const Agents& a = s.agents;
  if (a.community[i] >= m.community_count() || m.community_region[a.community[i]] != a.region[i])
    return "belongs to no community of its region";
  if ((a.flags[i] & kRouteAware) == 0) return "has left home without knowing the route";
  if (a.home[i] < m.home_agents && !knows_route(m, s.communities, a.community[i], a.home[i]))
    return "has left home but comes after those who know the route in its learning order";
  const auto code = static_cast<std::size_t>(a.status[i]);
  if (code >= kStatusCount) return "has no valid status";
  if (a.status[i] == Status::kAtHome) return "has a slot but is at home";
  if (a.home[i] >= m.agents) return "has no valid home index";
  if (a.home[i] < m.home_agents) {
    if (s.home_status[a.home[i]] == Status::kAtHome) return "is still at home at its home index";
    if (a.home[i] < m.community_first_agent[a.community[i]] ||
        a.home[i] >= m.community_first_agent[a.community[i] + 1])
      return "has a home index outside its community";
  }
  if (a.node[i] >= m.node_count()) return "is at no valid node";
  if (a.region[i] >= m.region_count()) return "has no valid region";
  if (a.status_step[i] > s.step) return "entered its status in the future";
  if (!(a.risk_tolerance[i] >= 0.0f && a.risk_tolerance[i] <= 1.0f))
    return "has risk tolerance outside [0, 1]";
  if (!(a.claim_strength[i] >= 0.0f && a.claim_strength[i] <= 1.0f))
    return "has claim strength outside [0, 1]";
  const bool with_smuggler = (a.flags[i] & kWithSmuggler) != 0;
  switch (kPlacement[code]) {
    case Placement::kOnEdge:
      // An initial stock's agent stands at its node until the first step's
      // movement sets it on an edge.
      if (a.edge[i] == kNone && s.step == 0 && a.home[i] >= m.home_agents && a.status_step[i] == 0)
        break;
      if (a.edge[i] >= m.edge_count()) return "is in transit on no valid edge";
      if (m.edge_from[a.edge[i]] != a.node[i])
        return "travels an edge that does not leave its node";
      if (a.due_step[i] < s.step || arrival_step(a, i) < a.due_step[i] ||
          arrival_step(a, i) - s.step > m.edge_longest_travel_steps[a.edge[i]])
        return "has an impossible number of steps left on its edge";
      if (with_smuggler &&
          (a.smuggler[i] >= m.network_count() || !m.network_covers(a.smuggler[i], a.edge[i])))
        return "travels with a network that does not cover its edge";
      if (!with_smuggler && m.edge_smuggler_rule[a.edge[i]] == SmugglerRule::kRequired)
        return "travels alone on an edge that requires a smuggler";
      break;
    case Placement::kQueuedForEdge:
      if (a.edge[i] >= m.edge_count() || m.edge_from[a.edge[i]] != a.node[i])
        return "waits for no edge leaving its node";
      if (a.smuggler[i] >= m.network_count() || !m.network_covers(a.smuggler[i], a.edge[i]))
        return "waits for a network that does not cover its edge";
      break;
    case Placement::kAtCheckpoint:
      if (m.node_checkpoint[a.node[i]] == kNone) return "is held at a node with no checkpoint";
      break;
    case Placement::kAtOrigin:
      if (a.node[i] != m.region_origin[a.region[i]]) return "is at home but not at its origin";
      break;
    case Placement::kDetainedAtNode:
      if (a.edge[i] != kNone) return "is detained but on an edge";
      if (std::find(m.checkpoint_return_node.begin(), m.checkpoint_return_node.end(), a.node[i]) ==
          m.checkpoint_return_node.end())
        return "is detained at a node no checkpoint returns travellers to";
      break;
    case Placement::kAnyNode:
    case Placement::kUnknown:
      break;
  }
  return nullptr;
}

constexpr std::size_t kNoAgent = std::numeric_limits<std::size_t>::max();

}  // namespace

std::string find_table_violation(const Model& m, const State& s) {
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    const Communities& c = s.communities;
    if (!(c.belief_success[k] >= 0.0f && c.belief_success[k] <= 1.0f) ||
        !(c.belief_danger[k] >= 0.0f && c.belief_danger[k] <= 1.0f)) {
      return "community " + std::to_string(k) + " has a belief outside [0, 1]";
    }
  }
  for (std::size_t k = 0; k < m.network_count(); ++k) {
    const Smugglers& net = s.smugglers;
    if (!(net.capacity[k] >= 0.0 && net.capacity[k] <= s.policy.network_max_capacity[k] + 1e-9)) {
      return "network '" + m.network_name[k] + "' has capacity outside [0, max_capacity]";
    }
    if (!(net.fee_usd[k] >= s.policy.network_min_fee_usd[k] &&
          net.fee_usd[k] <= s.policy.network_max_fee_usd[k])) {
      return "network '" + m.network_name[k] + "' charges a fee outside [min_fee_usd, max_fee_usd]";
    }
    if (static_cast<double>(net.taken[k]) > std::ceil(net.intake_capacity[k])) {
      return "network '" + m.network_name[k] + "' took on " + std::to_string(net.taken[k]) +
             " clients, above its capacity";
    }
    if (!(net.reputation[k] >= 0.0 && net.reputation[k] <= 1.0)) {
      return "network '" + m.network_name[k] + "' has a reputation outside [0, 1]";
    }
  }
  for (std::size_t c = 0; c < m.checkpoint_count(); ++c) {
    if (static_cast<double>(s.checkpoint_screened[c]) >
        std::ceil(s.checkpoint_screening_capacity[c])) {
      return "checkpoint '" + m.checkpoint_name[c] + "' screened " +
             std::to_string(s.checkpoint_screened[c]) + " agents, above its capacity";
    }
  }
  return {};
}

std::string find_invariant_violation(const Model& m, const State& s) {
  const Agents& a = s.agents;
  const std::size_t stocked = m.agents - m.home_agents;
  if (a.size() > m.agents || a.size() < stocked) return "agent slots in use out of range";
  if (s.home_status.size() != m.home_agents) return "the agent-at-home array has the wrong size";
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    const auto members =
        static_cast<std::int64_t>(m.community_first_agent[k + 1] - m.community_first_agent[k]);
    const Communities& c = s.communities;
    if (c.route_known[k] < 0 || c.route_known[k] > members || c.legal_passed[k] < 0 ||
        c.legal_passed[k] > members ||
        c.route_order[k].size() != static_cast<std::uint64_t>(members) ||
        c.legal_order[k].size() != static_cast<std::uint64_t>(members))
      return "community " + std::to_string(k) + "'s learning orders are out of range";
  }
  const auto n = static_cast<std::int64_t>(a.size());
  const std::size_t nc = m.community_count();

  // One parallel pass over the slots (agents who left home, and the stocks):
  // the first that breaks an invariant of its own, and the counts the
  // aggregate invariants compare; then one over the agents at home.
  std::size_t first_bad = kNoAgent;
  std::int64_t aware = 0, away = 0, filed_travellers = 0;
  std::vector<std::int64_t> aware_in(nc, 0), home_in(nc, 0), legal_unaware_in(nc, 0);
  std::int64_t* aware_counts = aware_in.data();
  std::int64_t* home_counts = home_in.data();
  const std::size_t nnodes = m.node_count();
  std::array<std::int64_t, kStatusCount> status_in{};
  std::vector<std::int64_t> stock_at(nnodes, 0), held_at(nnodes, 0);
  std::int64_t* status_counts = status_in.data();
  std::int64_t* stock_counts = stock_at.data();
  std::int64_t* held_counts = held_at.data();
#pragma omp parallel for schedule(static) reduction(min : first_bad) \
    reduction(+ : aware, filed_travellers, aware_counts[:nc])                                 \
    reduction(+ : status_counts[:kStatusCount], stock_counts[:nnodes], held_counts[:nnodes])
  for (std::int64_t j = 0; j < n; ++j) {
    const auto i = static_cast<std::size_t>(j);
    if (first_bad != kNoAgent) continue;  // this thread's agents after the first bad one
    if (agent_problem(m, s, i) != nullptr) {
      first_bad = i;
      continue;
    }
    const bool is_aware = (a.flags[i] & kRouteAware) != 0;
    aware += is_aware;
    aware_counts[a.community[i]] += is_aware;
    ++status_counts[static_cast<std::size_t>(a.status[i])];
    if (counts_at_node(a.status[i])) ++stock_counts[a.node[i]];
    if (a.status[i] == Status::kHeldAtCheckpoint) ++held_counts[a.node[i]];
    filed_travellers += a.status[i] == Status::kInTransit && a.edge[i] != kNone &&
                        a.due_step[i] < s.transit.steps();
  }
  const auto ncommunities = static_cast<std::int64_t>(nc);
#pragma omp parallel for schedule(dynamic, 8) reduction(+ : aware, away)
  for (std::int64_t k = 0; k < ncommunities; ++k) {
    std::int64_t aware_here = 0, home_here = 0, legal_unaware_here = 0;
    for (std::uint32_t h = m.community_first_agent[k]; h < m.community_first_agent[k + 1]; ++h) {
      const bool at_home = s.home_status[h] == Status::kAtHome;
      home_here += at_home;
      if (!at_home) continue;
      aware_here += knows_route(m, s.communities, static_cast<std::size_t>(k), h);
      legal_unaware_here += !knows_of_pathways(m, s.communities, static_cast<std::size_t>(k), h);
    }
    home_counts[k] = home_here;
    legal_unaware_in[k] = legal_unaware_here;
    aware_counts[k] += aware_here;
    aware += aware_here;
    away += (m.community_first_agent[k + 1] - m.community_first_agent[k]) - home_here;
  }
  for (std::size_t k = 0; k < nc; ++k)
    status_in[static_cast<std::size_t>(Status::kAtHome)] += home_in[k];
  if (first_bad != kNoAgent) {
    std::string message =
        "agent " + std::to_string(first_bad) + " " + agent_problem(m, s, first_bad);
    if (static_cast<std::size_t>(a.status[first_bad]) >= kStatusCount)
      message += " (" + std::to_string(static_cast<int>(a.status[first_bad])) + ")";
    return message;
  }

  if (std::string tables = find_table_violation(m, s); !tables.empty()) return tables;
  {
    std::vector<std::int64_t> for_smuggler(s.smuggler_queues.queues(), 0);
    std::vector<std::int64_t> for_asylum(s.asylum_queues.queues(), 0);
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a.status[i] == Status::kWaitingForSmuggler)
        ++for_smuggler[smuggler_queue(m, a.edge[i], a.smuggler[i])];
      if (a.status[i] == Status::kInAsylumProcessing) ++for_asylum[asylum_queue(m, a.node[i])];
    }
    if (std::string queues = s.smuggler_queues.check(a, for_smuggler); !queues.empty())
      return "smugglers' " + queues;
    if (std::string queues = s.asylum_queues.check(a, for_asylum); !queues.empty())
      return "asylum " + queues;
  }
  for (std::size_t k = 0; k < nc; ++k) {
    if (aware_in[k] != s.communities.aware[k]) {
      return "community " + std::to_string(k) + " counts " +
             std::to_string(s.communities.aware[k]) + " aware members but " +
             std::to_string(aware_in[k]) + " know the route";
    }
    if (legal_unaware_in[k] != s.communities.legal_unaware_at_home[k]) {
      return "community " + std::to_string(k) + " counts " +
             std::to_string(s.communities.legal_unaware_at_home[k]) +
             " members at home unaware of legal pathways but " +
             std::to_string(legal_unaware_in[k]) + " are";
    }
    if (home_in[k] != s.communities.at_home[k]) {
      return "community " + std::to_string(k) + " counts " +
             std::to_string(s.communities.at_home[k]) + " members at home but " +
             std::to_string(home_in[k]) + " are";
    }
  }
  if (static_cast<std::size_t>(away) + stocked != a.size()) {
    return std::to_string(away) + " agents have left home but " +
           std::to_string(a.size() - stocked) + " slots are theirs";
  }
  // The counts kept as agents change status are those of the agents.
  for (std::size_t k = 0; k < kStatusCount; ++k) {
    if (agents_in(s, static_cast<Status>(k)) != status_in[k]) {
      return "counted " + std::to_string(agents_in(s, static_cast<Status>(k))) + " agents " +
             to_string(static_cast<Status>(k)) + " but " + std::to_string(status_in[k]) + " are";
    }
  }
  for (std::size_t node = 0; node < nnodes; ++node) {
    std::int64_t stock = s.counts.node_stock[node], held = s.counts.node_held[node];
    for (const AgentCounts::Changes& c : s.counts.changes) {
      stock += c.node_stock()[node];
      held += c.node_held()[node];
    }
    if (stock != stock_at[node] || held != held_at[node]) {
      return "node '" + m.node_name[node] + "' counts " + std::to_string(stock) + " agents (" +
             std::to_string(held) + " held) but has " + std::to_string(stock_at[node]) + " (" +
             std::to_string(held_at[node]) + " held)";
    }
  }
  // The transit calendar files each traveller once, under the step of its next event.
  const TransitCalendar& cal = s.transit;
  std::int64_t filed = 0;
  for (std::int32_t due = s.step; due < std::min(cal.steps(), s.step + cal.horizon()); ++due) {
    for (std::size_t t = 0; t < cal.threads(); ++t) {
      for (const std::uint32_t i : cal.bucket(due, t)) {
        ++filed;
        if (i >= a.size() || a.status[i] != Status::kInTransit || a.due_step[i] != due) {
          return "agent " + std::to_string(i) + " is filed in the transit calendar for step " +
                 std::to_string(due) + " but is not in transit with an event due then";
        }
      }
    }
  }
  if (filed != filed_travellers) {
    return std::to_string(filed) + " travellers are filed in the transit calendar but " +
           std::to_string(filed_travellers) + " have an event due in the run";
  }
  if (aware != s.aware_total) {
    return "aware agents counted " + std::to_string(s.aware_total) + " but flagged " +
           std::to_string(aware);
  }
  return {};
}

namespace {

struct Violation {
  std::int32_t step;
  std::string stage;
  std::string what;
};

// Stops a replay once it has passed the step it was to examine.
struct ReplayDone {};

std::string describe(std::uint32_t replicate, const Violation& v) {
  return "invariant violated in replicate " + std::to_string(replicate) + ", step " +
         std::to_string(v.step) + ", after stage " + v.stage + ": " + v.what;
}

}  // namespace

void run_replicate_checked(const Model& m, std::uint32_t replicate, State& s,
                           InvariantChecks checks, const StageObserver& also) {
  if (checks == InvariantChecks::kOff) {
    run_replicate(m, replicate, s, also);
    return;
  }
  const std::string_view last_stage = stages().back().name;
  const auto observer = [&](const State& state, const char* stage) {
    if (also) also(state, stage);
    const bool everything = checks == InvariantChecks::kEveryStage || stage == last_stage;
    std::string what =
        everything ? find_invariant_violation(m, state) : find_table_violation(m, state);
    if (!what.empty()) throw Violation{state.step, stage, std::move(what)};
  };
  try {
    run_replicate(m, replicate, s, observer);
    return;
  } catch (const Violation& found) {
    if (checks == InvariantChecks::kEveryStage || found.stage != last_stage) {
      throw std::runtime_error(describe(replicate, found));
    }
    // Found at the end of the step: the same replicate, run again with every
    // stage checked up to that step, names the stage that broke it.
    const auto replay = [&](const State& state, const char* stage) {
      if (state.step > found.step) throw ReplayDone{};
      if (also) also(state, stage);
      if (std::string what = find_invariant_violation(m, state); !what.empty()) {
        throw std::runtime_error(describe(replicate, Violation{state.step, stage, what}));
      }
    };
    try {
      run_replicate(m, replicate, s, replay);
    } catch (const ReplayDone&) {
    }
    throw std::runtime_error(describe(replicate, found) +
                             " (a replay checking every stage did not meet it before)");
  }
}

}  // namespace migrasim
