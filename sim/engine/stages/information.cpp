// reads: communities (aware, remembered outcomes, learning orders), state.aware_total,
//        state.policy (outreach), home_status
// writes: communities (route_known, legal_passed, legal_unaware_at_home, belief_success,
//         belief_danger, aware), state.aware_total,
//         communities (awareness_probability, success_signal, danger_signal)
//
// Information and beliefs. Each community's outcomes of past steps (arrivals,
// failures and deaths, remembered with a fading memory) and the share of its
// members who know the route are what its members hear. An agent at home who
// does not know the route learns it with hazard per step
//   h_c = discovery + advertising + contagion * ((1 - mixing) * a_c + mixing * A)
//         + guide * M_arr,c / n_c
// (a_c, A: aware shares of the community and of everyone; n_c its members in
// persons; the memories M are in persons too, see feedback.cpp;
// advertising: the smuggling networks' advertising rates times their
// reputations), so knowledge spreads through groups in an S-curve. An agent
// at home who does not know of legal pathways learns of them with
// legal_awareness_rate_per_day. Every agent at home moves its
// beliefs a share lambda of the way to the group's record (the members at
// home share their beliefs, so this is done once per community, see
// state.hpp):
//   success S_c = (w0 s0 + M_arr) / (w0 + M_arr + M_fail + M_death)
//   danger  D_c = (w0 d0 + k M_death) / (w0 + M_arr + M_fail + k M_death)
// with prior (s0, d0) of weight w0 and death salience k; an outreach campaign
// moves D_c towards its message by the group's exposure times the message's
// credibility (policy.cpp). Those at home unaware of legal pathways learn of
// them with the probability policy.cpp gives for their group. Who learns is
// drawn as a count per community (home_knowledge.hpp).
#include <cmath>

#include "engine/home_draws.hpp"
#include "engine/home_knowledge.hpp"
#include "engine/stages/stages.hpp"
#include "util/random.hpp"

namespace migrasim {

void spread_information(const Model& m, State& s) {
  Communities& c = s.communities;
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
  const double overall = static_cast<double>(s.aware_total) / m.agents;
  const double mixing = m.info_global_mixing;
  const double w0 = m.info_prior_weight;  // in persons, like the memories
  const double ppa = m.persons_per_agent;
  const double salience = m.info_death_salience;
  const auto learning = static_cast<float>(m.info_learning_weight);

  const bool in_parallel = home_loops_in_parallel(m);
#pragma omp parallel for schedule(static) if (in_parallel)
  for (std::int64_t k = 0; k < ncommunities; ++k) {
    const double members = m.community_members(k);
    const double share = static_cast<double>(c.aware[k]) / members;
    // Remembered arrivals are in persons (feedback.cpp), so the guide term
    // divides by the members in persons.
    const double hazard = m.info_discovery_hazard + s.smugglers.advertising_hazard +
                          m.info_contagion_hazard * ((1.0 - mixing) * share + mixing * overall) +
                          m.info_guide_hazard * c.remembered_arrivals[k] / (members * ppa);
    c.awareness_probability[k] = -std::expm1(-hazard);
    const double arrivals = c.remembered_arrivals[k];
    const double failures = c.remembered_failures[k];
    const double deaths = c.remembered_deaths[k];
    c.success_signal[k] = static_cast<float>((w0 * m.info_prior_success + arrivals) /
                                             (w0 + arrivals + failures + deaths));
    const double record = (w0 * m.info_prior_danger + salience * deaths) /
                          (w0 + arrivals + failures + salience * deaths);
    // Outreach pulls the group's picture of the danger towards its message.
    c.danger_signal[k] = static_cast<float>((1.0 - s.policy.outreach_weight[k]) * record +
                                            s.policy.outreach_danger[k]);
    c.belief_success[k] += learning * (c.success_signal[k] - c.belief_success[k]);
    c.belief_danger[k] += learning * (c.danger_signal[k] - c.belief_danger[k]);
  }

  // Who learns is the next ones in the community's learning orders
  // (home_knowledge.hpp): a step costs a binomial draw per community, not a
  // visit per learner. Those who do not know the route are all at home
  // (deciding to leave takes knowing it).
  const StreamKey route_key = stream(m, s, StreamId::kRouteLearning);
  const StreamKey legal_key = stream(m, s, StreamId::kPathwayLearning);
  const std::vector<double>& legal_rate = s.policy.legal_awareness_probability;
#pragma omp parallel for schedule(dynamic, 64) if (in_parallel)
  for (std::int64_t k = 0; k < ncommunities; ++k) {
    const auto community = static_cast<std::uint32_t>(k);
    const auto members =
        static_cast<std::int64_t>(m.community_first_agent[k + 1] - m.community_first_agent[k]);
    Draws route_draws(route_key, community);
    const std::int64_t learned =
        binomial(route_draws, members - c.route_known[k], c.awareness_probability[k]);
    c.route_known[k] += learned;
    c.aware[k] += learned;
    Draws legal_draws(legal_key, community);
    learn_of_pathways(m, s, static_cast<std::size_t>(k),
                      binomial(legal_draws, c.legal_unaware_at_home[k], legal_rate[k]));
  }
  s.aware_total = 0;
  for (std::int64_t k = 0; k < ncommunities; ++k) s.aware_total += c.aware[k];
}

}  // namespace migrasim
