// reads: communities (aware, remembered outcomes), state.aware_total, state.policy (outreach),
//        agents.status, agents.community
// writes: agents.flags (kRouteAware, kLegalAware), agents.perceived_success,
//         agents.perceived_danger, communities.aware, state.aware_total,
//         communities (awareness_probability, success_signal, danger_signal)
//
// Information and beliefs. Each community's outcomes of past steps (arrivals,
// failures and deaths, remembered with a fading memory) and the share of its
// members who know the route are what its members hear. An agent at home who
// does not know the route learns it with hazard per step
//   h_c = discovery + advertising + contagion * ((1 - mixing) * a_c + mixing * A)
//         + guide * M_arr,c / n_c
// (a_c, A: aware shares of the community and of everyone; n_c its members;
// advertising: the smuggling networks' advertising rates times their
// reputations), so knowledge spreads through groups in an S-curve. An agent
// at home who does not know of legal pathways learns of them with
// legal_awareness_rate_per_day. Every agent at home moves its
// beliefs a share lambda of the way to the group's record:
//   success S_c = (w0 s0 + M_arr) / (w0 + M_arr + M_fail + M_death)
//   danger  D_c = (w0 d0 + k M_death) / (w0 + M_arr + M_fail + k M_death)
// with prior (s0, d0) of weight w0 and death salience k; an outreach campaign
// moves D_c towards its message by the group's exposure times the message's
// credibility (policy.cpp). Those unaware of legal pathways learn of them with
// the probability policy.cpp gives for their group.
#include <cmath>

#include "parallel.hpp"
#include "random.hpp"
#include "stages/stages.hpp"

namespace migrasim {

void spread_information(const Model& m, State& s) {
  Communities& c = s.communities;
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
  const double overall = static_cast<double>(s.aware_total) / m.agents;
  const double mixing = m.info_global_mixing;
  const double w0 = m.info_prior_weight;
  const double salience = m.info_death_salience;

#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < ncommunities; ++k) {
    const double members = m.community_first_agent[k + 1] - m.community_first_agent[k];
    const double share = static_cast<double>(c.aware[k]) / members;
    const double hazard = m.info_discovery_hazard + s.smugglers.advertising_hazard +
                          m.info_contagion_hazard * ((1.0 - mixing) * share + mixing * overall) +
                          m.info_guide_hazard * c.remembered_arrivals[k] / members;
    c.awareness_probability[k] = -std::expm1(-hazard);
    const double arrivals = c.remembered_arrivals[k];
    const double failures = c.remembered_failures[k];
    const double deaths = c.remembered_deaths[k];
    c.success_signal[k] =
        static_cast<float>((w0 * m.info_prior_success + arrivals) / (w0 + arrivals + failures + deaths));
    const double record = (w0 * m.info_prior_danger + salience * deaths) / (w0 + arrivals + failures + salience * deaths);
    // Outreach pulls the group's picture of the danger towards its message.
    c.danger_signal[k] = static_cast<float>((1.0 - s.policy.outreach_weight[k]) * record + s.policy.outreach_danger[k]);
  }

  Agents& a = s.agents;
  const StreamKey key = stream(m, s, StreamId::kInformation);
  const auto learning = static_cast<float>(m.info_learning_weight);
  const StreamKey legal_key = stream(m, s, StreamId::kLegalAwareness);
  const std::vector<double>& legal_rate = s.policy.legal_awareness_probability;
  std::fill(c.aware.begin(), c.aware.end(), 0);
  for_each_thread_range(static_cast<std::int64_t>(a.size()), [&](std::int64_t lo, std::int64_t hi) {
    if (lo >= hi) return;
    // Communities are contiguous blocks: count a run, add it at the run's end.
    CommunityId run_community = a.community[lo];
    std::int64_t run_aware = 0;
    for (std::int64_t i = lo; i < hi; ++i) {
      const CommunityId k = a.community[i];
      if (k != run_community) {
#pragma omp atomic
        c.aware[run_community] += run_aware;
        run_community = k;
        run_aware = 0;
      }
      if (a.status[i] == Status::kAtHome) {
        if (!(a.flags[i] & kRouteAware)) {
          Draws draws(key, static_cast<std::uint32_t>(i));
          if (draws.bernoulli(c.awareness_probability[k])) a.flags[i] |= kRouteAware;
        }
        if (!(a.flags[i] & kLegalAware) && legal_rate[k] > 0.0) {
          Draws draws(legal_key, static_cast<std::uint32_t>(i));
          if (draws.bernoulli(legal_rate[k])) a.flags[i] |= kLegalAware;
        }
        a.perceived_success[i] += learning * (c.success_signal[k] - a.perceived_success[i]);
        a.perceived_danger[i] += learning * (c.danger_signal[k] - a.perceived_danger[i]);
      }
      run_aware += (a.flags[i] & kRouteAware) != 0;
    }
#pragma omp atomic
    c.aware[run_community] += run_aware;
  });
  s.aware_total = 0;
  for (std::int64_t k = 0; k < ncommunities; ++k) s.aware_total += c.aware[k];
}

}  // namespace migrasim
