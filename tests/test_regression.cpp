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
  const std::vector<double> golden = {5740, 5740, 4980, 5180, 3060, 0, 520, 4660, 380, 980, 0, 0, 4420, 480, 500, 0, 0, 0, 59840816.565334983, 0, 594260, 380, 20, 0, 3300, 48.052229798928764, 15110.325729764685, 0.58033333333333337, 0.018518835307358674};
  ASSERT_EQ(totals.size(), golden.size());
  for (std::size_t k = 0; k < totals.size(); ++k) {
    EXPECT_EQ(totals[k], golden[k]) << series_info(k).name;
  }
}

}  // namespace
}  // namespace migrasim
