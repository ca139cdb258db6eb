// What the agents at home know: the route, and of legal pathways. Neither is
// stored per agent. Each community has two learning orders, uniformly random
// orders of its members drawn once per replicate (KeyedPermutation, keyed by
// seed, replicate and community), and those who know are a prefix of them:
//
// - The route. Those who do not know it are all at home (deciding to leave
//   takes knowing it), and each learns it with the community's probability
//   per step, independently: the number who learn in a step is binomial over
//   the unaware, and, every subset of that size being equally likely, they
//   are the next ones in the route order. Those who know the route are the
//   first route_known members of the order, whether or not they have left
//   since.
// - Legal pathways. Those who have not heard of them may leave before they
//   do, and never learn of them away. The number who learn in a step is
//   binomial over those at home who have not heard; they are the next ones
//   in the legal order who are still at home (those who left unaware are
//   passed over, and stay unaware). The first legal_passed positions are
//   those who learnt at home and those passed over.
//
// The picks are exact: the law of who knows, given the counts, is that of
// independent Bernoulli trials per agent and step, since learning depends on
// nothing about the agent. A step's learning costs a binomial draw per
// community, whatever the number of learners; asking whether one agent knows
// costs one inverse permutation (a few nanoseconds), and memory, nothing per
// agent.
#pragma once

#include <cstdint>

#include "engine/state.hpp"
#include "model/model.hpp"
#include "util/permutation.hpp"
#include "util/random.hpp"

namespace migrasim {

// Draws every community's learning orders for the state's replicate and
// sets who knows at the start (the scenario's initial awareness shares).
void draw_initial_knowledge(const Model& m, State& s);

// The home index of the member of community k at `position` of its route order.
inline std::uint32_t route_order_member(const Model& m, const Communities& c, std::size_t k,
                                        std::int64_t position) {
  return m.community_first_agent[k] +
         static_cast<std::uint32_t>(c.route_order[k](static_cast<std::uint64_t>(position)));
}

// Whether member h (a home index) of community k knows the route.
inline bool knows_route(const Model& m, const Communities& c, std::size_t k, std::uint32_t h) {
  return static_cast<std::int64_t>(c.route_order[k].position_of(h - m.community_first_agent[k])) <
         c.route_known[k];
}

// Whether member h of community k, at home, knows of legal pathways.
inline bool knows_of_pathways(const Model& m, const Communities& c, std::size_t k,
                              std::uint32_t h) {
  return static_cast<std::int64_t>(c.legal_order[k].position_of(h - m.community_first_agent[k])) <
         c.legal_passed[k];
}

// The next `learners` members of community k at home who have not heard of
// legal pathways hear of them (learners <= c.legal_unaware_at_home[k]).
void learn_of_pathways(const Model& m, State& s, std::size_t k, std::int64_t learners);

}  // namespace migrasim
