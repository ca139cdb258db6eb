#include "state.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "huge_pages.hpp"
#include "random.hpp"

namespace migrasim {

const char* to_string(Status status) {
  static constexpr const char* kNames[kStatusCount] = {
      "at_home",    "aspiring",           "waiting_for_smuggler",
      "in_transit", "held_at_checkpoint", "in_asylum_processing",
      "stayed",     "legal_pathway",      "admitted",
      "removed",    "returned",           "evaded",
      "died"};
  return kNames[static_cast<std::size_t>(status)];
}

State make_state(const Model& m) {
  State s;
  const std::size_t n = m.agents;
  Agents& a = s.agents;
  assign_on_huge_pages(a.status, n);
  assign_on_huge_pages(a.flags, n);
  assign_on_huge_pages(a.region, n);
  assign_on_huge_pages(a.node, n);
  assign_on_huge_pages(a.edge, n);
  assign_on_huge_pages(a.steps_left, n);
  assign_on_huge_pages(a.status_step, n);
  assign_on_huge_pages(a.savings_usd, n);
  assign_on_huge_pages(a.risk_tolerance, n);
  assign_on_huge_pages(a.claim_strength, n);
  assign_on_huge_pages(a.community, n);
  assign_on_huge_pages(a.smuggler, n);
  assign_on_huge_pages(a.passed_checkpoints, n);
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
  // One rationing scratch serves checkpoints, networks and legal pathways in turn.
  s.queue.allocate(
      std::max<std::size_t>({m.checkpoint_count(), m.network_count(), m.pathway_count(), 1}), n);
  s.left_home.allocate(n, static_cast<std::size_t>(omp_get_max_threads()));
  s.node_stock_scratch.resize(m.node_count());
  s.sum_scratch.resize((n >> 16) + 1);
  s.recording.scalar.resize(kSeriesCount * static_cast<std::size_t>(m.steps));
  s.recording.intervention_activity.resize(static_cast<std::size_t>(m.steps) *
                                           m.interventions.size());
  allocate_policy(m, s.policy);
  s.recording.node.resize(kNodeSeriesCount * static_cast<std::size_t>(m.steps) * m.node_count());
  return s;
}

void initialize_population(const Model& m, std::uint32_t replicate, State& s) {
  s.replicate = replicate;
  s.step = 0;
  Agents& a = s.agents;
  const StreamKey key = stream(m, s, StreamId::kInitialPopulation);
  const double risk_a = m.risk_tolerance.mean * m.risk_tolerance.concentration;
  const double risk_b = (1.0 - m.risk_tolerance.mean) * m.risk_tolerance.concentration;
  const double claim_a = m.asylum_claim_strength.mean * m.asylum_claim_strength.concentration;
  const double claim_b =
      (1.0 - m.asylum_claim_strength.mean) * m.asylum_claim_strength.concentration;

  // The first blocks of each agent's stream (enough for all but a few agents)
  // are drawn for a batch of agents at once, with the vector kernels.
  constexpr std::int64_t kBatch = 256;
  constexpr std::uint32_t kBlocks = 5;
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    const std::int64_t first = m.region_first_agent[r];
    const std::int64_t last = m.region_first_agent[r + 1];
    const std::int64_t batches = (last - first + kBatch - 1) / kBatch;
#pragma omp parallel
    {
      std::uint32_t blocks[4 * kBlocks * kBatch];
#pragma omp for schedule(static)
      for (std::int64_t batch = 0; batch < batches; ++batch) {
        const std::int64_t lo = first + batch * kBatch;
        const std::int64_t hi = std::min(last, lo + kBatch);
        philox_blocks(key, static_cast<std::uint32_t>(lo), static_cast<std::size_t>(hi - lo),
                      kBlocks, blocks, kBatch);
        for (std::int64_t i = lo; i < hi; ++i) {
          Draws draws(key, static_cast<std::uint32_t>(i), blocks + (i - lo), kBatch, kBlocks);
          a.status[i] = Status::kAtHome;
          a.flags[i] = 0;
          a.region[i] = static_cast<RegionId>(r);
          a.node[i] = m.region_origin[r];
          a.edge[i] = kNone;
          a.smuggler[i] = kNone;
          a.passed_checkpoints[i] = 0;
          a.steps_left[i] = 0;
          a.status_step[i] = 0;
          a.savings_usd[i] = static_cast<float>(m.savings_usd.median *
                                                std::exp(m.savings_usd.sigma * draws.normal()));
          a.risk_tolerance[i] = static_cast<float>(draws.beta(risk_a, risk_b));
          a.claim_strength[i] = static_cast<float>(draws.beta(claim_a, claim_b));
          if (draws.bernoulli(m.info_initial_awareness)) a.flags[i] |= kRouteAware;
          if (draws.bernoulli(m.falsified_documents_share)) a.flags[i] |= kFalsifiedDocuments;
          if (draws.bernoulli(m.high_risk_share)) a.flags[i] |= kHighRisk;
          if (draws.bernoulli(m.info_initial_legal_awareness)) a.flags[i] |= kLegalAware;
        }
      }
    }
  }
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t c = 0; c < ncommunities; ++c) {
    std::int64_t aware = 0;
    for (std::uint32_t i = m.community_first_agent[c]; i < m.community_first_agent[c + 1]; ++i) {
      a.community[i] = static_cast<CommunityId>(c);
      aware += (a.flags[i] & kRouteAware) != 0;
    }
    s.communities.aware[c] = aware;
    s.communities.at_home[c] = m.community_first_agent[c + 1] - m.community_first_agent[c];
    s.communities.belief_success[c] = static_cast<float>(m.info_prior_success);
    s.communities.belief_danger[c] = static_cast<float>(m.info_prior_danger);
  }
  s.aware_total =
      std::accumulate(s.communities.aware.begin(), s.communities.aware.end(), std::int64_t{0});
  s.left_home.clear();
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
    net.advertising_hazard += m.network_advertising_hazard[k] * net.reputation[k];
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
  std::fill(s.recording.node.begin(), s.recording.node.end(), 0.0);
}

}  // namespace migrasim
