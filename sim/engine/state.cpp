#include "engine/state.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "engine/home_knowledge.hpp"
#include "engine/population_sampler.hpp"
#include "engine/simulation.hpp"
#include "engine/status_change.hpp"
#include "util/huge_pages.hpp"
#include "util/random.hpp"

namespace migrasim {

const char* to_string(Status status) {
  static constexpr const char* kNames[kStatusCount] = {"at_home",
                                                       "aspiring",
                                                       "waiting_for_smuggler",
                                                       "in_transit",
                                                       "held_at_checkpoint",
                                                       "in_asylum_processing",
                                                       "detained",
                                                       "stayed",
                                                       "legal_pathway",
                                                       "admitted",
                                                       "removed",
                                                       "returned",
                                                       "evaded",
                                                       "died",
                                                       "denied_staying",
                                                       "stranded"};
  return kNames[static_cast<std::size_t>(status)];
}

State make_state(const Model& m) {
  State s;
  const std::size_t n = m.agents;
  Agents& a = s.agents;
  // Slots for every agent, touched only as agents leave home.
  std::apply([n](auto&... columns) { (reserve_on_huge_pages(columns, n), ...); }, a.columns());
  assign_columns_on_huge_pages(m.home_agents, s.home_status);
  check_stop();  // a stop cuts the filling of the columns short
  s.sampler.emplace(m);
  const std::size_t nnetworks = m.network_count();
  Smugglers& net = s.smugglers;
  for (auto* column : {&net.capacity, &net.fee_usd, &net.reputation, &net.remembered_successes,
                       &net.remembered_failures, &net.intake_capacity}) {
    column->assign(nnetworks, 0.0);
  }
  for (auto* column : {&net.successes, &net.failures, &net.demand, &net.taken})
    column->assign(nnetworks, 0);

  const std::size_t nc = m.community_count();
  Communities& c = s.communities;
  for (auto* column : {&c.aware, &c.at_home, &c.arrivals, &c.failures, &c.deaths, &c.route_known,
                       &c.legal_passed, &c.legal_unaware_at_home})
    column->assign(nc, 0);
  c.route_order.resize(nc);
  c.legal_order.resize(nc);
  for (auto* column : {&c.remembered_arrivals, &c.remembered_failures, &c.remembered_deaths,
                       &c.awareness_probability}) {
    column->assign(nc, 0.0);
  }
  c.belief_success.assign(nc, 0.0f);
  c.belief_danger.assign(nc, 0.0f);
  c.success_signal.assign(nc, 0.0f);
  c.danger_signal.assign(nc, 0.0f);

  s.region_hardship.resize(m.region_count());
  s.region_repression.resize(m.region_count());
  s.region_exit_probability.resize(m.region_count());
  s.tally.node_arrivals.resize(m.node_count());
  s.checkpoint_screened.resize(m.checkpoint_count());
  s.checkpoint_screening_capacity.resize(m.checkpoint_count());
  // One rationing scratch serves checkpoints, networks, legal pathways and
  // asylum systems in turn.
  s.queue.allocate(std::max<std::size_t>({m.checkpoint_count(), m.network_count(),
                                          m.pathway_count(), m.asylum_system_count(), 1}),
                   n);
  s.leavers.allocate(static_cast<std::size_t>(omp_get_max_threads()));
  s.transit.allocate(m.steps, s.leavers.threads(), m.edge_count(), m.network_count());
  s.smuggler_queues.allocate(m.edge_networks.size(), s.leavers.threads(),
                             Status::kWaitingForSmuggler);
  s.asylum_queues.allocate(m.asylum_system_count(), s.leavers.threads(),
                           Status::kInAsylumProcessing);
  s.counts.changes.resize(s.leavers.threads());
  for (AgentCounts::Changes& changes : s.counts.changes) {
    changes.allocate(m.node_count(), m.edge_count());
  }
  s.counts.node_stock.resize(m.node_count());
  s.counts.node_held.resize(m.node_count());
  s.leaver_count_scratch.resize(s.leavers.threads() + 1);
  for (std::size_t t = 0; t < s.leavers.threads(); ++t)
    s.sampler_scratch.push_back(std::make_unique<PopulationSampler::Scratch>());
  s.recording.scalar.resize(kSeriesCount * static_cast<std::size_t>(m.steps));
  s.recording.intervention_activity.resize(static_cast<std::size_t>(m.steps) *
                                           m.interventions.size());
  allocate_policy(m, s.policy);
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    const std::size_t length = axis_length(m, axis_of(static_cast<AxisSeries>(k)));
    s.tally.axis[k].resize(length);
    s.recording.axis[k].resize(static_cast<std::size_t>(m.steps) * length);
  }
  return s;
}

namespace {

// The agents of the initial stocks (docs/model.md, "Initial stocks"): their
// attributes are drawn like everyone's, from their own streams; they know the
// route and stand at their node, in transit with no edge yet (or marked to
// wait for a smuggler), until the movement stage of the first step sets them
// on their way.
void place_initial_stocks(const Model& m, const StreamKey& key, const PopulationSampler& sampler,
                          State& s) {
  Agents& a = s.agents;
  constexpr auto kBatch = static_cast<std::int64_t>(PopulationSampler::kBatch);
  auto scratch = std::make_unique<PopulationSampler::Scratch>();
  std::apply([&m](auto&... columns) { (columns.resize(m.agents - m.home_agents), ...); },
             a.columns());
  for (std::size_t k = 0; k < m.stock_count(); ++k) {
    const std::int64_t first = m.stock_first_agent[k];
    const std::int64_t last = m.stock_first_agent[k + 1];
    for (std::int64_t lo = first; lo < last; lo += kBatch) {
      const std::int64_t hi = std::min(last, lo + kBatch);
      const auto slot_lo = static_cast<std::size_t>(lo) - m.home_agents;
      for (std::int64_t i = lo; i < hi; ++i) {
        const std::size_t j = static_cast<std::size_t>(i) - m.home_agents;
        a.status[j] = Status::kInTransit;
        a.flags[j] = 0;
        a.region[j] = m.stock_region[k];
        a.community[j] = m.stock_agent_community[j];
        a.node[j] = m.stock_node[k];
        a.edge[j] = kNone;
        a.smuggler[j] = kNone;
        a.passed_checkpoints[j] = 0;
        a.steps_left[j] = 0;
        a.times_sent_back[j] = 0;
        a.due_step[j] = 0;
        a.status_step[j] = 0;
        a.home[j] = static_cast<std::uint32_t>(i);
      }
      sampler.draw(key, static_cast<std::uint32_t>(lo), static_cast<std::size_t>(hi - lo), slot_lo,
                   a, *scratch);
      for (std::int64_t i = lo; i < hi; ++i)
        a.flags[static_cast<std::size_t>(i) - m.home_agents] |= kRouteAware;
    }
  }
}

}  // namespace

void initialize_population(const Model& m, std::uint32_t replicate, State& s) {
  s.replicate = replicate;
  s.step = 0;
  const StreamKey key = stream(m, s, StreamId::kInitialPopulation);
  // Everyone starts at home, and those the draws below say (the first of
  // their community's learning orders) know the route or of legal pathways;
  // the rest of an agent at home is drawn when needed (state.hpp).
  std::fill(s.home_status.begin(), s.home_status.end(), Status::kAtHome);
  std::apply([](auto&... columns) { (columns.clear(), ...); }, s.agents.columns());
  place_initial_stocks(m, key, *s.sampler, s);
  draw_initial_knowledge(m, s);
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
  for (std::int64_t c = 0; c < ncommunities; ++c) {
    // Those at home who know the route, and the stocks, who all do.
    s.communities.aware[c] = s.communities.route_known[c] + m.community_stock_members[c];
    s.communities.at_home[c] = m.community_first_agent[c + 1] - m.community_first_agent[c];
    s.communities.belief_success[c] = static_cast<float>(m.info_prior_success);
    s.communities.belief_danger[c] = static_cast<float>(m.info_prior_danger);
  }
  s.aware_total =
      std::accumulate(s.communities.aware.begin(), s.communities.aware.end(), std::int64_t{0});
  s.leavers.clear();
  s.smuggler_queues.clear();
  s.asylum_queues.clear();
  recount(m, s);
  s.transit.clear();
  s.transit.next_visit_step = 0;
  reset_policy(s.policy);
  Smugglers& net = s.smugglers;
  net.capacity = m.network_initial_capacity;
  net.fee_usd = m.network_initial_fee_usd;
  net.reputation = m.network_initial_reputation;
  net.advertising_hazard = 0.0;
  for (std::size_t k = 0; k < m.network_count(); ++k) {
    net.remembered_successes[k] = net.remembered_failures[k] = 0.0;
    net.successes[k] = net.failures[k] = net.demand[k] = net.taken[k] = 0;
    net.intake_capacity[k] = net.capacity[k];
    net.advertising_hazard += m.network_advertising_hazard[k].at(0) * net.reputation[k];
  }
  Communities& c = s.communities;
  for (auto* column : {&c.arrivals, &c.failures, &c.deaths})
    std::fill(column->begin(), column->end(), 0);
  for (auto* column : {&c.remembered_arrivals, &c.remembered_failures, &c.remembered_deaths}) {
    std::fill(column->begin(), column->end(), 0.0);
  }
  s.tally.value.fill(0.0);
  std::fill(s.tally.node_arrivals.begin(), s.tally.node_arrivals.end(), 0);
  std::fill(s.checkpoint_screened.begin(), s.checkpoint_screened.end(), 0);
  std::fill(s.recording.scalar.begin(), s.recording.scalar.end(), 0.0);
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    std::fill(s.tally.axis[k].begin(), s.tally.axis[k].end(), 0.0);
    std::fill(s.recording.axis[k].begin(), s.recording.axis[k].end(), 0.0);
  }
}

}  // namespace migrasim
