// reads: communities (arrivals, failures, deaths of this step)
// writes: communities (remembered_arrivals, remembered_failures,
//         remembered_deaths; this step's counts cleared)
//
// Community feedback. The outcomes of members' journeys during the step are
// folded into each community's fading memory,
//   M(t) = exp(-step_days / memory_days) * M(t - 1) + persons_per_agent * count(t),
// which the information stage of the next step reads. Memories are kept in
// persons, like the prior's weight they are set against, so that the same
// scenario at another resolution (persons per agent) hears the same record.
#include "engine/stages/stages.hpp"
#include "util/parallel.hpp"

namespace migrasim {

void record_community_feedback(const Model& m, State& s) {
  Communities& c = s.communities;
  const double decay = m.info_memory_decay;
  const double ppa = m.persons_per_agent;
  const auto ncommunities = static_cast<std::int64_t>(m.community_count());
#pragma omp parallel for schedule(static) if (ncommunities > kSerialBelow)
  for (std::int64_t k = 0; k < ncommunities; ++k) {
    c.remembered_arrivals[k] =
        decay * c.remembered_arrivals[k] + ppa * static_cast<double>(c.arrivals[k]);
    c.remembered_failures[k] =
        decay * c.remembered_failures[k] + ppa * static_cast<double>(c.failures[k]);
    c.remembered_deaths[k] =
        decay * c.remembered_deaths[k] + ppa * static_cast<double>(c.deaths[k]);
    c.arrivals[k] = 0;
    c.failures[k] = 0;
    c.deaths[k] = 0;
  }
}

}  // namespace migrasim
