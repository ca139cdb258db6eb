#include "python/replicate_series.hpp"

#include <omp.h>

#include "engine/simulation.hpp"
#include "model/series.hpp"

namespace migrasim {

ReplicateSeries run_replicate_series(const Model& m, int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  ReplicateSeries out;
  out.replicates = m.replicates;
  out.steps = m.steps;
  out.nodes = m.node_count();
  const auto steps = static_cast<std::size_t>(m.steps);
  out.scalar.reserve(m.replicates * kSeriesCount * steps);
  out.node.reserve(m.replicates * kNodeSeriesCount * steps * out.nodes);
  State state = make_state(m);
  for (std::uint32_t r = 0; r < m.replicates; ++r) {
    run_replicate(m, r, state);
    const Recording& recording = state.recording;
    out.scalar.insert(out.scalar.end(), recording.scalar.begin(), recording.scalar.end());
    out.node.insert(out.node.end(), recording.node.begin(), recording.node.end());
  }
  return out;
}

}  // namespace migrasim
