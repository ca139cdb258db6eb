// reads: communities (arrivals, failures, deaths of this step)
// writes: communities (remembered_arrivals, remembered_failures,
//         remembered_deaths; this step's counts cleared)
//
// Community feedback. The outcomes of members' journeys during the step are
// folded into each community's fading memory,
//   M(t) = exp(-step_days / memory_days) * M(t - 1) + count(t),
// which the information stage of the next step reads.
#include "engine/stages/stages.hpp"
#include "util/parallel.hpp"

namespace migrasim {

void record_community_feedback(const Model& m, State& s) {
  Communities& c = s.communities;
  const double decay = m.info_memory_decay;
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
#pragma omp parallel for schedule(static) if (ncommunities > kSerialBelow)
  for (std::int64_t k = 0; k < ncommunities; ++k) {
    c.remembered_arrivals[k] =
        decay * c.remembered_arrivals[k] + static_cast<double>(c.arrivals[k]);
    c.remembered_failures[k] =
        decay * c.remembered_failures[k] + static_cast<double>(c.failures[k]);
    c.remembered_deaths[k] = decay * c.remembered_deaths[k] + static_cast<double>(c.deaths[k]);
    c.arrivals[k] = 0;
    c.failures[k] = 0;
    c.deaths[k] = 0;
  }
}

}  // namespace migrasim
