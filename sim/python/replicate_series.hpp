// The series of a scenario's replicates kept in memory, with no file at all:
// what migrasim.simulator reduces to summaries on every call, so it must cost
// no more than the steps themselves.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "model/model.hpp"

namespace migrasim {

struct ReplicateSeries {
  std::uint32_t replicates = 0;
  std::int32_t steps = 0;
  std::vector<double> scalar;  // (replicates x kSeriesCount x steps), in the file's units
  // per axis series: (replicates x steps x its axis' length)
  std::array<std::vector<double>, kAxisSeriesCount> axis;
  std::array<std::size_t, kAxisSeriesCount> axis_length{};
};

// Runs replicates 0 .. model.replicates-1 of `model` with `threads` OpenMP
// threads (0: OpenMP's default); the values are those `migrasim run` writes.
// Throws Interrupted when stopped.
ReplicateSeries run_replicate_series(const Model& model, int threads);

}  // namespace migrasim
