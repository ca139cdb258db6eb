// reads: state.transit, agents.status, agents.node, agents.edge,
//        agents.steps_left, agents.due_step, agents.smuggler, agents.flags, agents.region,
//        agents.savings_usd, agents.claim_strength, agents.community, agents.status_step,
//        state.region_exit_probability, policy.visa_rule, policy.pathway_open,
//        policy.edge_death_hazard, policy.network_mortality_multiplier,
//        smugglers.fee_usd, model nodes, edges, networks and pathways
//        (through journey.hpp)
// writes: agents.status, agents.node, agents.edge, agents.steps_left, agents.due_step,
//         agents.savings_usd, agents.status_step, agents.smuggler, agents.flags,
//         state.transit, state.counts, tally[departures, gave_up, deaths],
//         tally.node_arrivals, communities and smugglers (outcomes)
//
// Movement along the route. Aspirants who have waited give_up_after_days stay
// home for good; the others set out with the step's exit probability of their
// region, on an edge chosen as in journey.hpp. Travellers waiting for a
// smuggler where one is optional go on alone after smuggler_wait_days. The
// agents of initial stocks set out from where they stand in the first step
// (journey.hpp, start_initial_stock); they are not departures.
//
// A traveller on an edge of travel_steps T is visited by T movement stages,
// the first in the step it sets out if that is before this stage, else in the
// next. At each visit it dies with probability 1 - exp(-h), h the edge's death
// hazard per step (mortality_per_day * step_days) in force at that visit, times
// its network's client_mortality_multiplier when it travels as a client; at the
// T-th it arrives at the edge's end node, where it is held if the node has a
// checkpoint, or goes on (journey.hpp).
//
// That process is simulated by events, not visits: when a traveller sets out,
// the number of visits it survives is drawn (geometric, journey.hpp
// schedule_event) and the first of its death and its arrival is filed in the
// transit calendar; this stage processes the events of its step. The result
// has the law of a Bernoulli draw at every visit, exactly (up to the 2^-32
// resolution of a uniform draw, as for every draw of the model), also when
// hazards change during a run: in a step where an edge's hazard or a network's
// multiplier differs from the one the filed deaths were drawn with, the
// travellers it concerns draw their remaining visits again with the new hazard
// (the geometric law is memoryless: given that a traveller lived to this
// visit, the visits it survives from here have the same law as at setting
// out), and the calendar is filed again. Such a step costs a pass over the
// travellers; a step without a change costs only its events.
#include <omp.h>

#include <cmath>

#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

// Whether the death hazard of traveller i differs from the one its filed
// event was drawn with.
bool hazard_changed(const State& s, std::size_t i) {
  const EdgeId edge = s.agents.edge[i];
  if (s.policy.edge_death_hazard[edge] != s.transit.edge_hazard[edge]) return true;
  const NetworkId network = s.agents.smuggler[i];
  return (s.agents.flags[i] & kWithSmuggler) &&
         s.policy.network_mortality_multiplier[network] != s.transit.network_multiplier[network];
}

// When a hazard has changed since the last step, the travellers it concerns
// draw their remaining visits again, and every traveller is filed again.
void redraw_changed_hazards(const Model& m, State& s) {
  TransitCalendar& cal = s.transit;
  const PolicyState& policy = s.policy;
  bool changed = false;
  for (std::size_t e = 0; e < m.edge_count(); ++e) {
    changed |= policy.edge_death_hazard[e] != cal.edge_hazard[e];
  }
  for (std::size_t k = 0; k < m.network_count(); ++k) {
    changed |= policy.network_mortality_multiplier[k] != cal.network_multiplier[k];
  }
  if (s.step > 0 && changed) {
    const StreamKey key = stream(m, s, StreamId::kTransitRedraw);
    Agents& a = s.agents;
    cal.clear();
#pragma omp parallel if (static_cast <std::int64_t>(a.size()) > kSerialBelow)
    {
      const std::int64_t t = omp_get_thread_num();
      const std::int64_t team = omp_get_num_threads();
      for_each_slot_in_status(
          a, Status::kInTransit, Status::kInTransit, t, team, [&](std::int64_t i) {
            if (a.edge[i] == kNone) return;  // an initial stock before its first step
            if (!hazard_changed(s, static_cast<std::size_t>(i))) {
              cal.file(a.due_step[i], static_cast<std::uint32_t>(i));
              return;
            }
            Draws draws(key, static_cast<std::uint32_t>(i));
            schedule_event(s, static_cast<std::size_t>(i), s.step,
                           arrival_step(a, static_cast<std::size_t>(i)),
                           death_hazard(s, static_cast<std::size_t>(i), a.edge[i]), draws);
          });
    }
  }
  cal.edge_hazard = policy.edge_death_hazard;
  cal.network_multiplier = policy.network_mortality_multiplier;
}

struct MovementCounts {
  std::int64_t departures = 0, gave_up = 0, deaths = 0;
};

// Aspirants (give up or set out), travellers waiting for a smuggler where one
// is optional, and in the first step the initial stocks: passes over those who
// left home, skipped when none of them can have anything to do. Those waiting
// where a smuggler is required are not visited: only the smuggling stage can
// move them on.
void set_out_from_home(const Model& m, State& s, MovementCounts& counts) {
  const bool first_step = s.step == 0;
  if (!first_step && agents_in(s, Status::kAspiring) == 0 &&
      agents_in(s, Status::kWaitingForSmuggler) == 0) {
    return;
  }
  const StreamKey key = stream(m, s, StreamId::kMovement);
  Agents& a = s.agents;
  std::int64_t departures = 0, gave_up = 0;
  // Aspiring, waiting for a smuggler and in transit are the adjacent codes 1-3,
  // all of them among those who left home.
  static_assert(
      static_cast<int>(Status::kAspiring) + 1 == static_cast<int>(Status::kWaitingForSmuggler) &&
      static_cast<int>(Status::kWaitingForSmuggler) + 1 == static_cast<int>(Status::kInTransit));
  // Waiting where a smuggler is optional, and since an earlier step (one who
  // starts waiting in the pass over aspirants is not visited again).
  const AgentFilter may_go_alone{a.status.data(),
                                 Status::kWaitingForSmuggler,
                                 Status::kWaitingForSmuggler,
                                 a.flags.data(),
                                 kMayGoAlone,
                                 kMayGoAlone};
#pragma omp parallel reduction(+ : departures, gave_up) \
    if (static_cast<std::int64_t>(a.size()) > kSerialBelow)
  {
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t team = omp_get_num_threads();
    const auto visit = [&](std::int64_t i) {
      const Status status = a.status[i];
      Draws draws(key, static_cast<std::uint32_t>(i));
      if (status == Status::kAspiring) {
        if (s.step - a.status_step[i] >= m.give_up_after_steps) {
          set_status(s, static_cast<std::size_t>(i), Status::kStayed);
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
        // false: no way open to it
        if (continue_journey(m, s, i, a.node[i], draws)) ++departures;
      } else if (status == Status::kWaitingForSmuggler) {
        const bool optional = m.edge_smuggler_rule[a.edge[i]] == SmugglerRule::kOptional;
        if (!optional || s.step - a.status_step[i] < m.smuggler_wait_steps) return;
        if (s.policy.edge_closed[a.edge[i]]) return;  // waits while it is closed
        s.smuggler_queues.left(static_cast<std::size_t>(omp_get_thread_num()),
                               smuggler_queue(m, a.edge[i], a.smuggler[i]));
        a.smuggler[i] = kNone;
        travel_alone(s, i, a.edge[i], draws);
      } else if (a.edge[i] == kNone) {
        start_initial_stock(m, s, i, draws);
      }
    };
    if (first_step) {
      for_each_slot_in_status(a, Status::kAspiring, Status::kInTransit, t, team, visit);
    } else {
      for_each_slot_in_status(a, Status::kAspiring, Status::kAspiring, t, team, visit);
      for_each_slot_selected(a, may_go_alone, t, team, [&](std::int64_t i) {
        if (a.status_step[i] != s.step) visit(i);
      });
    }
  }
  counts.departures += departures;
  counts.gave_up += gave_up;
}

// The events of this step: travellers who die on their edge, and those who
// reach its end. Each is filed once, and what becomes of it depends on no
// other traveller, so the split of the step's lists among threads does not
// change any result.
void process_events(const Model& m, State& s, MovementCounts& counts) {
  TransitCalendar& cal = s.transit;
  const std::int32_t step = s.step;
  // Those who set out from here on are first visited in the next step.
  cal.next_visit_step = step + 1;
  const auto due = static_cast<std::int64_t>(cal.due_count(step));
  if (due == 0) return;
  const StreamKey key = stream(m, s, StreamId::kTransitEvents);
  Agents& a = s.agents;
  std::int64_t deaths = 0;
  std::int64_t* arrivals = s.tally.node_arrivals.data();
  const std::size_t nnodes = m.node_count();
  double* edge_deaths = s.tally.axis[index(AxisSeries::kEdgeDeaths)].data();
#pragma omp parallel reduction(+ : deaths) reduction(+ : arrivals[:nnodes]) if (due > kSerialBelow)
  {
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t team = omp_get_num_threads();
    const auto visit = [&](std::uint32_t i) {
      const EdgeId edge = a.edge[i];
      if (a.steps_left[i] != 0) {
        set_status(s, i, Status::kDied);
        a.status_step[i] = step;
        ++deaths;
#pragma omp atomic
        edge_deaths[edge] += 1.0;
        report_outcome(s, i, Outcome::kDeath);
        return;
      }
      const NodeId node = m.edge_to[edge];
      ++arrivals[node];
      if (m.node_checkpoint[node] != kNone) {
        move_agent(s, i, Status::kHeldAtCheckpoint, node);
        a.edge[i] = kNone;
        a.status_step[i] = step;
      } else {
        Draws draws(key, i);
        continue_journey(m, s, i, node, draws);
      }
    };
    // This thread's share of the step's lists taken end to end: [first, end).
    std::int64_t first = due * t / team;
    const std::int64_t end = due * (t + 1) / team;
    std::int64_t offset = 0;  // of the current list
    for (std::size_t list = 0; list < cal.threads() && offset < end; ++list) {
      const std::vector<std::uint32_t>& filed = cal.bucket(step, list);
      const auto size = static_cast<std::int64_t>(filed.size());
      const std::int64_t lo = std::max(first, offset) - offset;
      const std::int64_t hi = std::min(end, offset + size) - offset;
      constexpr std::int64_t kAhead = 8;
      for (std::int64_t k = lo; k < hi; ++k) {
        if (k + kAhead < hi) {
          const std::uint32_t j = filed[static_cast<std::size_t>(k + kAhead)];
          prefetch_line(a.edge.data() + j);
          prefetch_line(a.steps_left.data() + j);
          prefetch_line(a.status.data() + j);
          prefetch_line(a.node.data() + j);
        }
        visit(filed[static_cast<std::size_t>(k)]);
      }
      offset += size;
      first = std::max(first, offset);
    }
  }
  counts.deaths += deaths;
  cal.close(step);
}

}  // namespace

void move_agents(const Model& m, State& s) {
  s.transit.next_visit_step = s.step;
  redraw_changed_hazards(m, s);
  MovementCounts counts;
  set_out_from_home(m, s, counts);
  process_events(m, s, counts);
  s.tally.add(Series::kDepartures, counts.departures);
  s.tally.add(Series::kDeaths, counts.deaths);
  s.tally.add(Series::kGaveUp, counts.gave_up);
}

}  // namespace migrasim
