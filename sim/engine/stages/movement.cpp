// reads: state.left_home, agents.status, agents.node, agents.edge, agents.steps_left,
//        agents.smuggler, agents.flags, agents.region, agents.savings_usd,
//        agents.claim_strength, agents.community, agents.status_step,
//        state.region_exit_probability, policy.visa_rule, policy.pathway_open,
//        smugglers.fee_usd, model nodes, edges, networks and pathways
//        (through journey.hpp)
// writes: agents.status, agents.node, agents.edge, agents.steps_left,
//         agents.savings_usd, agents.status_step, agents.smuggler, agents.flags,
//         tally[departures, gave_up, deaths], tally.node_arrivals,
//         communities and smugglers (outcomes)
//
// Movement along the route. Aspirants who have waited give_up_after_days stay
// home for good; the others set out with the step's exit probability of their
// region, on an edge chosen as in journey.hpp. Travellers waiting for a
// smuggler where one is optional go on alone after smuggler_wait_days. Each
// step on an edge an agent dies with probability 1 - exp(-mortality_per_day *
// step_days), the hazard multiplied by its network's client_mortality_multiplier
// when travelling as a client; otherwise it advances one step, and on reaching
// the edge's end node it is held there if the node has a checkpoint, or goes on
// (journey.hpp). The agents of initial stocks set out from where they stand in
// the first step (journey.hpp, start_initial_stock); they are not departures.
#include <omp.h>

#include <cmath>

#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {

void move_agents(const Model& m, State& s) {
  const StreamKey key = stream(m, s, StreamId::kMovement);
  Agents& a = s.agents;
  std::int64_t departures = 0;
  std::int64_t gave_up = 0;
  std::int64_t deaths = 0;
  std::int64_t* arrivals = s.tally.node_arrivals.data();
  const std::size_t nnodes = m.node_count();

  // Aspiring, waiting for a smuggler and in transit are the adjacent codes 1-3,
  // all of them among those who left home.
  static_assert(
      static_cast<int>(Status::kAspiring) + 1 == static_cast<int>(Status::kWaitingForSmuggler) &&
      static_cast<int>(Status::kWaitingForSmuggler) + 1 == static_cast<int>(Status::kInTransit));
  // What a traveller's step reads first, fetched ahead (see visit_listed).
  const auto fetch = [&a](std::uint32_t i) {
    prefetch_line(a.status_step.data() + i);
    prefetch_line(a.edge.data() + i);
    prefetch_line(a.steps_left.data() + i);
    prefetch_line(a.flags.data() + i);
    prefetch_line(a.smuggler.data() + i);
  };
#pragma omp parallel reduction(+ : departures, gave_up, deaths) reduction(+ : arrivals[:nnodes]) \
    if (static_cast<std::int64_t>(s.left_home.size()) > kSerialBelow)
  {
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t team = omp_get_num_threads();
    for_each_listed(
        s.left_home, a.status.data(), Status::kAspiring, Status::kInTransit, t, team,
        [&](std::int64_t i) {
          const Status status = a.status[i];
          Draws draws(key, static_cast<std::uint32_t>(i));
          if (status == Status::kAspiring) {
            if (s.step - a.status_step[i] >= m.give_up_after_steps) {
              a.status[i] = Status::kStayed;
              a.status_step[i] = s.step;
              ++gave_up;
              return;
            }
            // Those applying to a legal pathway wait for a place for a while.
            if (const auto p = eligible_pathway(m, s, i);
                p != kNone && s.step - a.status_step[i] < s.policy.pathway_wait_steps[p]) {
              return;
            }
            if (!draws.bernoulli(s.region_exit_probability[a.region[i]])) return;
            if (!continue_journey(m, s, i, a.node[i], draws)) return;  // no way open to it
            ++departures;
            if (a.status[i] != Status::kInTransit) return;  // waiting for a smuggler
          } else if (status == Status::kWaitingForSmuggler) {
            const bool optional = m.edge_smuggler_rule[a.edge[i]] == SmugglerRule::kOptional;
            if (!optional || s.step - a.status_step[i] < m.smuggler_wait_steps) return;
            if (s.policy.edge_closed[a.edge[i]]) return;  // waits while the edge is closed
            a.smuggler[i] = kNone;
            travel_alone(s, i, a.edge[i]);
          } else if (a.edge[i] == kNone) [[unlikely]] {
            start_initial_stock(m, s, i, draws);  // in the first step only
            if (a.status[i] != Status::kInTransit) return;
          }
          const EdgeId edge = a.edge[i];
          const double p_death =
              (a.flags[i] & kWithSmuggler)
                  ? -std::expm1(-s.policy.edge_death_hazard[edge] *
                                s.policy.network_mortality_multiplier[a.smuggler[i]])
                  : s.policy.edge_death_probability[edge];
          if (draws.bernoulli(p_death)) {
            a.status[i] = Status::kDied;
            a.status_step[i] = s.step;
            ++deaths;
#pragma omp atomic
            s.tally.axis[index(AxisSeries::kEdgeDeaths)][edge] += 1.0;
            report_outcome(s, i, Outcome::kDeath);
            return;
          }
          if (--a.steps_left[i] > 0) return;
          const NodeId node = m.edge_to[edge];
          ++arrivals[node];
          if (m.node_checkpoint[node] != kNone) {
            a.node[i] = node;
            a.edge[i] = kNone;
            a.status[i] = Status::kHeldAtCheckpoint;
            a.status_step[i] = s.step;
          } else {
            continue_journey(m, s, i, node, draws);
          }
        },
        fetch);
  }
  s.tally.add(Series::kDepartures, departures);
  s.tally.add(Series::kDeaths, deaths);
  s.tally.add(Series::kGaveUp, gave_up);
}

}  // namespace migrasim
