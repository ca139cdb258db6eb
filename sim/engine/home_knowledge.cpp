#include "engine/home_knowledge.hpp"

#include <stdexcept>

namespace migrasim {
namespace {

KeyedPermutation learning_order(const Model& m, const State& s, StreamId id, std::size_t k) {
  Draws draws(StreamKey{m.seed, s.replicate, 0, id}, static_cast<std::uint32_t>(k));
  const std::array<std::uint32_t, 4> keys{draws.bits(), draws.bits(), draws.bits(), draws.bits()};
  return KeyedPermutation(m.community_first_agent[k + 1] - m.community_first_agent[k], keys);
}

}  // namespace

void draw_initial_knowledge(const Model& m, State& s) {
  Communities& c = s.communities;
  const StreamKey route_key = stream(m, s, StreamId::kInitialRouteAwareness);
  const StreamKey legal_key = stream(m, s, StreamId::kInitialLegalAwareness);
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    c.route_order[k] = learning_order(m, s, StreamId::kRouteLearningOrder, k);
    c.legal_order[k] = learning_order(m, s, StreamId::kLegalLearningOrder, k);
    const auto members =
        static_cast<std::int64_t>(m.community_first_agent[k + 1] - m.community_first_agent[k]);
    Draws route_draws(route_key, static_cast<std::uint32_t>(k));
    c.route_known[k] = binomial(route_draws, members, m.info_initial_awareness);
    Draws legal_draws(legal_key, static_cast<std::uint32_t>(k));
    c.legal_passed[k] = binomial(legal_draws, members, m.info_initial_legal_awareness);
    c.legal_unaware_at_home[k] = members - c.legal_passed[k];
  }
}

void learn_of_pathways(const Model& m, State& s, std::size_t k, std::int64_t learners) {
  Communities& c = s.communities;
  const std::uint32_t first = m.community_first_agent[k];
  c.legal_unaware_at_home[k] -= learners;
  const auto members = static_cast<std::int64_t>(c.legal_order[k].size());
  while (learners > 0) {
    // legal_unaware_at_home counts exactly those at home beyond legal_passed
    // (an invariant): there are always enough.
    if (c.legal_passed[k] >= members)
      throw std::logic_error("learn_of_pathways: fewer unaware members at home than counted");
    const auto h = first + static_cast<std::uint32_t>(
                               c.legal_order[k](static_cast<std::uint64_t>(c.legal_passed[k]++)));
    learners -= s.home_status[h] == Status::kAtHome;
  }
}

}  // namespace migrasim
