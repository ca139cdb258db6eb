// reads: agents.status, agents.node, agents.edge, agents.steps_left, model edges
// writes: agents.status, tally[gave_up], agents.node, agents.edge, agents.steps_left,
//         agents.savings_usd, agents.status_step,
//         tally[departures, deaths], tally.node_arrivals,
//         communities.deaths, communities.arrivals
//
// Movement along the route. Aspirants who have waited give_up_after_days stay
// home for good; the others set out with the step's exit probability of their
// region, on an edge chosen by choice weight. Each step on an edge an agent dies with the edge's
// per-step probability 1 - exp(-mortality_per_day * step_days); otherwise it
// advances one step, and on reaching the edge's end node it is held there if
// the node has a checkpoint, ends its journey if the node is a destination, or
// sets out on the next edge.
#include "random.hpp"
#include "stages/journey.hpp"
#include "stages/stages.hpp"

namespace migrasim {

void move_agents(const Model& m, State& s) {
  const StreamKey key = stream(m, s, StreamId::kMovement);
  Agents& a = s.agents;
  std::int64_t departures = 0;
  std::int64_t gave_up = 0;
  std::int64_t deaths = 0;
  std::int64_t* arrivals = s.tally.node_arrivals.data();
  const std::size_t nnodes = m.node_count();
  const auto n = static_cast<std::int64_t>(a.size());

#pragma omp parallel for schedule(static) reduction(+ : departures, gave_up, deaths) \
    reduction(+ : arrivals[:nnodes])
  for (std::int64_t i = 0; i < n; ++i) {
    const Status status = a.status[i];
    if (status != Status::kAspiring && status != Status::kInTransit) continue;
    Draws draws(key, static_cast<std::uint32_t>(i));
    if (status == Status::kAspiring) {
      if (s.step - a.status_step[i] >= m.give_up_after_steps) {
        a.status[i] = Status::kStayed;
        a.status_step[i] = s.step;
        ++gave_up;
        continue;
      }
      if (!draws.bernoulli(s.region_exit_probability[a.region[i]])) continue;
      continue_journey(m, s, i, a.node[i], draws);
      ++departures;
    }
    const EdgeId edge = a.edge[i];
    if (draws.bernoulli(m.edge_death_probability[edge])) {
      a.status[i] = Status::kDied;
      a.status_step[i] = s.step;
      ++deaths;
      tell_community(s.communities.deaths, a.community[i]);
      continue;
    }
    if (--a.steps_left[i] > 0) continue;
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
  }
  s.tally.add(Series::kDepartures, departures);
  s.tally.add(Series::kDeaths, deaths);
  s.tally.add(Series::kGaveUp, gave_up);
}

}  // namespace migrasim
