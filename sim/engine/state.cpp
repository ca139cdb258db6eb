#include "engine/state.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

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
  std::apply([n](auto&... columns) { assign_columns_on_huge_pages(n, columns...); }, a.columns());
  check_stop();  // a stop cuts the filling of the columns short
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
  for (auto* column : {&c.aware, &c.at_home, &c.arrivals, &c.failures, &c.deaths})
    column->assign(nc, 0);
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
  s.left_home.allocate(n, static_cast<std::size_t>(omp_get_max_threads()));
  s.share_start_scratch.resize(s.left_home.threads());
  s.transit.allocate(m.steps, s.left_home.threads(), m.edge_count(), m.network_count());
  s.counts.changes.resize(s.left_home.threads());
  for (AgentCounts::Changes& changes : s.counts.changes) {
    changes.allocate(m.node_count(), m.edge_count());
  }
  s.counts.node_stock.resize(m.node_count());
  s.counts.node_held.resize(m.node_count());
  s.sum_scratch.resize((n >> 16) + 1);
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
  for (std::size_t k = 0; k < m.stock_count(); ++k) {
    const std::int64_t first = m.stock_first_agent[k];
    const std::int64_t last = m.stock_first_agent[k + 1];
    for (std::int64_t lo = first; lo < last; lo += kBatch) {
      const std::int64_t hi = std::min(last, lo + kBatch);
      for (std::int64_t i = lo; i < hi; ++i) {
        a.status[i] = Status::kInTransit;
        a.flags[i] = 0;
        a.region[i] = m.stock_region[k];
        a.community[i] = m.stock_agent_community[static_cast<std::size_t>(i) - m.home_agents];
        a.node[i] = m.stock_node[k];
        a.edge[i] = kNone;
        a.smuggler[i] = kNone;
        a.passed_checkpoints[i] = 0;
        a.steps_left[i] = 0;
        a.due_step[i] = 0;
        a.status_step[i] = 0;
      }
      sampler.draw(key, static_cast<std::uint32_t>(lo), static_cast<std::size_t>(hi - lo), a,
                   *scratch);
      for (std::int64_t i = lo; i < hi; ++i) a.flags[i] |= kRouteAware;
    }
  }
}

}  // namespace

void initialize_population(const Model& m, std::uint32_t replicate, State& s) {
  s.replicate = replicate;
  s.step = 0;
  Agents& a = s.agents;
  const StreamKey key = stream(m, s, StreamId::kInitialPopulation);
  const PopulationSampler sampler(m);
  constexpr auto kBatch = static_cast<std::int64_t>(PopulationSampler::kBatch);
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    const std::int64_t first = m.region_first_agent[r];
    const std::int64_t last = m.region_first_agent[r + 1];
    const std::int64_t batches = (last - first + kBatch - 1) / kBatch;
#pragma omp parallel
    {
      auto scratch = std::make_unique<PopulationSampler::Scratch>();
#pragma omp for schedule(static)
      for (std::int64_t batch = 0; batch < batches; ++batch) {
        const std::int64_t lo = first + batch * kBatch;
        const std::int64_t hi = std::min(last, lo + kBatch);
        for (std::int64_t i = lo; i < hi; ++i) {
          a.status[i] = Status::kAtHome;
          a.flags[i] = 0;
          a.region[i] = static_cast<RegionId>(r);
          a.node[i] = m.region_origin[r];
          a.edge[i] = kNone;
          a.smuggler[i] = kNone;
          a.passed_checkpoints[i] = 0;
          a.steps_left[i] = 0;
          a.due_step[i] = 0;
          a.times_sent_back[i] = 0;
          a.status_step[i] = 0;
        }
        sampler.draw(key, static_cast<std::uint32_t>(lo), static_cast<std::size_t>(hi - lo), a,
                     *scratch);
      }
    }
  }
  place_initial_stocks(m, key, sampler, s);
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t c = 0; c < ncommunities; ++c) {
    std::int64_t aware = 0;
    for (std::uint32_t i = m.community_first_agent[c]; i < m.community_first_agent[c + 1]; ++i) {
      a.community[i] = static_cast<CommunityId>(c);
      aware += (a.flags[i] & kRouteAware) != 0;
    }
    s.communities.aware[c] = aware + m.community_stock_members[c];  // stocks know the route
    s.communities.at_home[c] = m.community_first_agent[c + 1] - m.community_first_agent[c];
    s.communities.belief_success[c] = static_cast<float>(m.info_prior_success);
    s.communities.belief_danger[c] = static_cast<float>(m.info_prior_danger);
  }
  s.aware_total =
      std::accumulate(s.communities.aware.begin(), s.communities.aware.end(), std::int64_t{0});
  // Those of the stocks left home before the run: listed from the start.
  s.left_home.clear();
  for (std::uint32_t i = m.home_agents; i < m.agents; ++i) s.left_home.queue(0, 0, i);
  const std::int64_t share_start[] = {0};
  s.left_home.merge_pending(share_start);
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
