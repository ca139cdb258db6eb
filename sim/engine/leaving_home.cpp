#include "engine/leaving_home.hpp"

#include <algorithm>

#include "engine/home_knowledge.hpp"

namespace migrasim {

void materialise_leavers(const Model& m, State& s, std::span<const Leaver> leavers, bool drawn,
                         std::size_t first_slot, PopulationSampler::Scratch& scratch) {
  if (leavers.empty()) return;
  Agents& a = s.agents;
  const StreamKey key = population_stream(m, s);
  const auto& starts = m.community_first_agent;
  // The community of the first leaver; the rest follow in increasing order.
  auto k = static_cast<std::size_t>(
      std::upper_bound(starts.begin(), starts.end(), leavers.front().home) - starts.begin() - 1);
  // Attributes not drawn by the decisions are drawn a batch at a time through
  // the vector kernels (the same bits as one at a time).
  std::uint32_t homes[PopulationSampler::kBatch];
  AgentAttributes batch[PopulationSampler::kBatch];
  for (std::size_t n = 0; n < leavers.size(); ++n) {
    const std::size_t in_batch = n % PopulationSampler::kBatch;
    if (!drawn && in_batch == 0) {
      const std::size_t count = std::min(PopulationSampler::kBatch, leavers.size() - n);
      for (std::size_t j = 0; j < count; ++j) homes[j] = leavers[n + j].home;
      s.sampler->draw_many(key, homes, count, batch, scratch);
    }
    const AgentAttributes& attributes = drawn ? leavers[n].attributes : batch[in_batch];
    const std::uint32_t h = leavers[n].home;
    while (starts[k + 1] <= h) ++k;
    const std::size_t j = first_slot + n;
    const RegionId r = m.community_region[k];
    a.status[j] = Status::kAspiring;
    a.status_step[j] = s.step;
    // What it learnt at home, and its hidden traits as drawn.
    // (Deciding to leave takes knowing the route.)
    const bool legal_aware = knows_of_pathways(m, s.communities, k, h);
    if (!legal_aware) --s.communities.legal_unaware_at_home[k];
    a.flags[j] = static_cast<std::uint8_t>(kRouteAware | (legal_aware ? kLegalAware : 0) |
                                           (attributes.flags & (kFalsifiedDocuments | kHighRisk)));
    a.region[j] = r;
    a.community[j] = static_cast<CommunityId>(k);
    a.smuggler[j] = kNone;
    a.passed_checkpoints[j] = 0;
    a.node[j] = m.region_origin[r];
    a.edge[j] = kNone;
    a.steps_left[j] = 0;
    a.due_step[j] = 0;
    a.times_sent_back[j] = 0;
    a.savings_usd[j] = attributes.savings_usd;
    a.risk_tolerance[j] = attributes.risk_tolerance;
    a.claim_strength[j] = attributes.claim_strength;
    a.home[j] = h;
  }
}

}  // namespace migrasim
