// reads: state.asylum_queues, agents.status, agents.status_step, agents.node,
//        agents.claim_strength,
//        policy (asylum systems' parameters in force), model.node_asylum_system, state.counts
// writes: agents.status, agents.status_step, tally[asylum_granted, removed,
//         denied_not_removed, removal_cost_usd, node_asylum_granted, node_removed],
//         communities.failures, state.counts
//
// Asylum processing, one queue per asylum system (the system hearing claims
// made at the node where the claimant was apprehended, model.hpp). A claim
// becomes eligible for a decision once it has waited its system's
// min_processing_days. A system decides at most capacity_per_day claims per
// day; when more are eligible, a uniformly random subset of that size is
// decided and the rest wait. Claimants join their system's queue as they
// claim (waiting_queues.hpp), in order of the step they claimed, so the
// eligible are a prefix of it and a step costs per decision, not per claim
// pending. A claim weaker than the
// system's min_claim_strength is denied; a stronger one is granted with
// probability min(1, claim strength x grant_probability_multiplier). A denied
// claimant is removed with removal_probability (at removal_cost_usd a person),
// else stays without status. All of these are the values in force this step
// (policy.cpp: the scenario's, then asylum_policy interventions).
#include <algorithm>
#include <cmath>

#include "engine/rationing.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {

void process_asylum(const Model& m, State& s) {
  WaitingQueues& queues = s.asylum_queues;
  queues.settle();
  // Nobody's claim is pending: nothing to decide.
  if (agents_in(s, Status::kInAsylumProcessing) == 0) {
    queues.clear();
    return;
  }
  Agents& a = s.agents;
  const PolicyState& policy = s.policy;
  const std::size_t nsystems = m.asylum_system_count();
  const StreamKey queue_key = stream(m, s, StreamId::kAsylumQueue);
  const StreamKey key = stream(m, s, StreamId::kAsylum);
  std::vector<std::uint32_t>& decided = s.asylum_decided;
  double* node_granted = s.tally.axis[index(AxisSeries::kNodeAsylumGranted)].data();
  double* node_removed = s.tally.axis[index(AxisSeries::kNodeRemoved)].data();
  std::int64_t granted = 0, removed = 0, stayed = 0;
  double removal_cost_usd = 0.0;
  for (std::size_t system = 0; system < nsystems; ++system) {
    // Claims heard for the minimum time are ready; a uniformly random
    // capacity of them are decided (rationing.hpp's rule for a fractional
    // capacity), or all when they are fewer.
    const double capacity = policy.asylum_capacity_agents[system];
    Draws places = pool_draws(queue_key, system);
    const std::size_t open[] = {system};
    queues.choose(a, open, places_this_step(capacity, places),
                  s.step - policy.asylum_min_processing_steps[system], places, queue_key, decided);
    const auto count = static_cast<std::int64_t>(decided.size());
    const double min_strength = policy.asylum_min_claim_strength[system];
    const double grant_multiplier = policy.asylum_grant_multiplier[system];
    const double p_remove = policy.asylum_removal_probability[system];
    std::int64_t removed_here = 0;
#pragma omp parallel for schedule(static) reduction(+ : granted, removed_here, stayed) \
    if (count > kSerialBelow)
    for (std::int64_t k = 0; k < count; ++k) {
      const std::uint32_t i = decided[static_cast<std::size_t>(k)];
      Draws draws(key, i);
      a.status_step[i] = s.step;
      const double strength = a.claim_strength[i];
      if (strength >= min_strength && draws.bernoulli(std::min(1.0, strength * grant_multiplier))) {
        set_status(s, i, Status::kAdmitted);
        ++granted;
#pragma omp atomic
        node_granted[a.node[i]] += 1.0;
      } else if (p_remove >= 1.0 || draws.bernoulli(p_remove)) {
        set_status(s, i, Status::kRemoved);
        ++removed_here;
#pragma omp atomic
        node_removed[a.node[i]] += 1.0;
        report_outcome(s, i, Outcome::kFailure);
      } else {
        // Staying on is what the claim already told the community (an arrival).
        set_status(s, i, Status::kDeniedStaying);
        ++stayed;
      }
    }
    removed += removed_here;
    removal_cost_usd += static_cast<double>(removed_here) * m.persons_per_agent *
                        policy.asylum_removal_cost_usd[system];
  }
  s.tally.add(Series::kAsylumGranted, granted);
  s.tally.add(Series::kRemoved, removed);
  s.tally.add(Series::kDeniedNotRemoved, stayed);
  s.tally.add(Series::kRemovalCostUsd, removal_cost_usd);
}

}  // namespace migrasim
