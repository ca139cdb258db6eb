// reads: home_status, the population stream (risk tolerance, savings),
//        communities (belief_success, belief_danger, route_order, route_known),
//        state.region_hardship, state.region_repression
// writes: home_status, agents (every column: the leavers' new slots), communities.at_home,
//         state.leavers, tally[new_aspirants]
//
// Migration decisions. An agent at home who knows the route forms the
// intention to leave with the hazard per day
//   h = base_rate_per_day * exp(w_H H_r + w_R R_r + w_S (s - 0.5) - w_D d (1 - rho))
//       * min(1, savings / route_cost_r) ^ cost_elasticity,
// H_r, R_r its region's push factors, s and d its perceived success and danger,
// rho its risk tolerance; the probability per step is 1 - exp(-h * step_days).
//
// Those who decide are found without visiting every member (home_draws.hpp):
// members who know the route (the first of their community's route order,
// home_knowledge.hpp) are picked with the largest probability any of them can
// have this step (risk tolerance 1, savings enough), and a pick at home decides
// with its own probability over that bound, which gives each member exactly
// its own probability while only the picks need their exp and pow. A pick's risk
// tolerance and savings are drawn from its own population stream (an agent
// at home keeps neither, state.hpp), and those who leave are materialised in
// the next slots, in increasing home index (leaving_home.hpp).
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "engine/home_draws.hpp"
#include "engine/home_knowledge.hpp"
#include "engine/leaving_home.hpp"
#include "engine/stages/stages.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

// What a pick's decision needs of its community, kept with the pick while it
// waits in a batch.
struct CommunityOdds {
  std::size_t community = 0;
  double regional_hazard = 0.0;  // per step, before the agent's own terms
  double p_regional = 0.0;       // 1 - exp(-regional_hazard)
  double p_max = 0.0;            // the largest probability a member can have
  double route_cost = 0.0;
  float success = 0.0f;
  float danger = 0.0f;
};

}  // namespace

void make_decisions(const Model& m, State& s) {
  const StreamKey key = stream(m, s, StreamId::kDecidingToLeave);
  const StreamKey dense_key = stream(m, s, StreamId::kDecisions);
  const StreamKey population_key = population_stream(m, s);
  const PopulationSampler& sampler = *s.sampler;
  Status* home_status = s.home_status.data();
  Communities& c = s.communities;
  const double w_success = m.decision_success_weight;
  const double w_danger = m.decision_danger_weight;
  const double elasticity = m.decision_cost_elasticity;
  const bool individual = w_success != 0.0 || w_danger != 0.0 || elasticity != 0.0;
  LeaverQueue& leavers = s.leavers;
  const AgentFilter at_home{home_status, Status::kAtHome, Status::kAtHome};
  std::int64_t new_aspirants = 0;
  std::size_t team = 1;
  std::int64_t* first_leaver = s.leaver_count_scratch.data();
  const std::size_t slots_before = s.agents.size();
  const int threads = home_loops_in_parallel(m)
                          ? std::min(static_cast<int>(leavers.threads()), omp_get_max_threads())
                          : 1;
#pragma omp parallel num_threads(threads) reduction(+ : new_aspirants)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
#pragma omp single
    team = static_cast<std::size_t>(omp_get_num_threads());
    // Whole communities per thread, in order, for the leavers' queue.
    const auto [first_community, last_community] =
        community_share(m, static_cast<std::int64_t>(t), static_cast<std::int64_t>(team));
    // Picks wait in a batch, in order and across communities, so that their
    // attributes are drawn together by the vector kernels (a community has
    // a few picks a step, and a short batch takes the scalar kernel), then
    // decide in the same order.
    constexpr std::size_t kWaiting = 64;
    std::uint32_t picked[kWaiting];
    double uniforms[kWaiting];
    CommunityOdds odds_of[kWaiting];
    AgentAttributes drawn[kWaiting];
    PopulationSampler::Scratch* scratch = s.sampler_scratch[t].get();
    std::size_t waiting = 0;
    const auto decide = [&] {
      if (individual) sampler.draw_many(population_key, picked, waiting, drawn, *scratch);
      for (std::size_t j = 0; j < waiting; ++j) {
        const CommunityOdds& o = odds_of[j];
        double p_leave = o.p_regional;
        if (individual) {
          const double attitude =
              w_success * (o.success - 0.5) - w_danger * o.danger * (1.0 - drawn[j].risk_tolerance);
          const double affordable =
              o.route_cost > 0.0 ? std::clamp(drawn[j].savings_usd / o.route_cost, 0.0, 1.0) : 1.0;
          p_leave = -std::expm1(-o.regional_hazard * std::exp(attitude) *
                                std::pow(affordable, elasticity));
        }
        if (uniforms[j] * o.p_max < p_leave) {
          home_status[picked[j]] = Status::kAspiring;
          leavers.queue(t, picked[j], drawn[j]);
          --c.at_home[o.community];
          ++new_aspirants;
        }
      }
      waiting = 0;
    };
    for (std::size_t k = first_community; k < last_community; ++k) {
      const RegionId r = m.community_region[k];
      CommunityOdds o;
      o.community = k;
      o.regional_hazard =
          m.decision_base_hazard * std::exp(m.decision_hardship_weight * s.region_hardship[r] +
                                            m.decision_repression_weight * s.region_repression[r]);
      o.p_regional = -std::expm1(-o.regional_hazard);
      o.route_cost = s.policy.region_route_cost_usd[r];
      o.success = c.belief_success[k];
      o.danger = c.belief_danger[k];
      // Members are picked with the largest probability any of them can have
      // this step, p_max, and a pick leaves with its own probability over
      // p_max (thinning): only the picks need their own exp and pow.
      o.p_max = o.p_regional;
      if (individual) {
        if (elasticity >= 0.0) {
          // attitude <= w_S (s - 0.5) - min(0, w_D d) for risk tolerance in
          // [0, 1], and affordability^elasticity <= 1; the margin covers the
          // rounding of exp and expm1.
          const double danger_term = w_danger * o.danger;
          const double attitude_max = w_success * (o.success - 0.5) - std::min(0.0, danger_term);
          o.p_max = std::min(
              1.0, -std::expm1(-o.regional_hazard * std::exp(attitude_max)) * (1.0 + 0x1p-30));
        } else {
          o.p_max = 1.0;  // no bound: every member is picked and checked
        }
      }
      const auto pick = [&](std::uint32_t h, double u) {
        picked[waiting] = h;
        uniforms[waiting] = u;
        odds_of[waiting] = o;
        if (++waiting == kWaiting) decide();
      };
      if (dense_pass(o.p_max, c.route_known[k])) {
        // Each member at home draws its own (64 at a time), and those of the
        // picks who know the route are visited: the picks of a pass along
        // the route order, found from the members at home (after many have
        // left, far fewer than those who know the route).
        const std::uint64_t below = bernoulli_threshold(o.p_max);
        const double scale = 1.0 / static_cast<double>(below);
        for_each_drawn_below(dense_key, at_home, m.community_first_agent[k],
                             m.community_first_agent[k + 1], below,
                             [&](std::uint32_t h, std::uint32_t bits) {
                               if (knows_route(m, c, k, h))
                                 pick(h, (static_cast<double>(bits) + 0.5) * scale);
                             });
      } else {
        // Among those who know the route, those still at home.
        for_each_picked(
            key, static_cast<std::uint32_t>(k), c.route_known[k], o.p_max,
            [&](std::int64_t position) { return route_order_member(m, c, k, position); },
            [&](std::uint32_t h) { return home_status[h] == Status::kAtHome; }, pick,
            [&](std::uint32_t h) { prefetch_line(home_status + h); });
      }
    }
    decide();
    // Picks come in learning order: the leavers take their slots in home
    // index order.
    leavers.sort(t);
    // The leavers take the next slots: thread t's after those of threads < t,
    // which hold lower home indices.
    first_leaver[t + 1] = static_cast<std::int64_t>(leavers.queued(t).size());
#pragma omp barrier
#pragma omp single
    {
      first_leaver[0] = static_cast<std::int64_t>(slots_before);
      for (std::size_t u = 0; u < team; ++u) first_leaver[u + 1] += first_leaver[u];
      const auto slots = static_cast<std::size_t>(first_leaver[team]);
      std::apply([slots](auto&... columns) { (columns.resize(slots), ...); }, s.agents.columns());
    }
    materialise_leavers(m, s, leavers.queued(t), individual,
                        static_cast<std::size_t>(first_leaver[t]), *scratch);
  }
  leavers.clear();
  s.tally.add(Series::kNewAspirants, new_aspirants);
}

}  // namespace migrasim
