// A golden run: a short fixed-seed slice of the shipped baseline must give
// exactly these totals. A change to any mechanism, random stream or default
// shows up here first. When a change is intended, rerun with
// MIGRASIM_PRINT_GOLDEN=1, check the new figures make sense, and paste them in.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "model.hpp"
#include "simulation.hpp"

namespace migrasim {
namespace {

TEST(Regression, ShortBaselineRunIsPinned) {
  const Model m = compile(load_scenario(MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml",
                                        {"population.agents=30000", "time.end=2023-03-31",
                                         "information.initial_route_awareness=0.05"}));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const auto steps = static_cast<std::size_t>(m.steps);
  std::vector<double> totals;
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    const auto first = s.recording.scalar.begin() + static_cast<long>(k * steps);
    totals.push_back(series_info(k).is_flow ? std::accumulate(first, first + static_cast<long>(steps), 0.0)
                                            : *(first + static_cast<long>(steps) - 1));
  }
  if (std::getenv("MIGRASIM_PRINT_GOLDEN")) {
    for (double v : totals) std::printf("%.17g, ", v);
    std::printf("\n");
  }
  const std::vector<double> golden = {5300, 5300, 4640, 4780, 3000, 0, 600, 4180, 260, 940, 0, 0, 4140, 520, 400, 20, 0, 0, 54984513.085230961, 0, 594700, 360, 0, 0, 2980, 48.074891450853428, 14694.297631263325, 0.5739333333333333, 0.018634064880777443};
  ASSERT_EQ(totals.size(), golden.size());
  for (std::size_t k = 0; k < totals.size(); ++k) {
    EXPECT_EQ(totals[k], golden[k]) << series_info(k).name;
  }
}

}  // namespace
}  // namespace migrasim
