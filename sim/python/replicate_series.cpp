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
  const auto steps = static_cast<std::size_t>(m.steps);
  out.scalar.reserve(m.replicates * kSeriesCount * steps);
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    out.axis_length[k] = axis_length(m, axis_of(static_cast<AxisSeries>(k)));
    out.axis[k].reserve(m.replicates * steps * out.axis_length[k]);
  }
  State state = make_state(m);
  for (std::uint32_t r = 0; r < m.replicates; ++r) {
    run_replicate(m, r, state);
    const Recording& recording = state.recording;
    out.scalar.insert(out.scalar.end(), recording.scalar.begin(), recording.scalar.end());
    for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
      out.axis[k].insert(out.axis[k].end(), recording.axis[k].begin(), recording.axis[k].end());
    }
  }
  return out;
}

}  // namespace migrasim
