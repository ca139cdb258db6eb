#include <gtest/gtest.h>
#include <omp.h>

#include <vector>

#include "model/model.hpp"
#include "output/run.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

// The whole file of a run made in memory, byte for byte.
std::vector<unsigned char> run_image(const Model& m, int threads, Parallelism parallelism,
                                     int* side_by_side = nullptr) {
  const int before = omp_get_max_threads();
  OutputOptions in_memory;
  in_memory.in_memory = true;
  OutputFile file = create_run_file(m, "run.h5", "migrasim run tiny.yaml", in_memory);
  RunOptions options;
  options.threads = threads;
  options.parallelism = parallelism;
  options.command_line = "migrasim run tiny.yaml";
  const RunSummary summary = run_scenario(m, file, options);
  omp_set_num_threads(before);
  if (side_by_side != nullptr) *side_by_side = summary.side_by_side_threads;
  return file.image();
}

// Replicates side by side make the same file, to the last byte, as replicates
// one after another, for any number of threads, with more replicates than
// threads (so that a thread finishes one while an earlier one still runs) and
// with fewer.
TEST(Run, ReplicatesSideBySideWriteTheSameFileAsOneAfterAnother) {
  Model m = compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml", {}));
  m.replicates = 3;
  int mode = -1;
  const std::vector<unsigned char> serial = run_image(m, 1, Parallelism::kAuto, &mode);
  EXPECT_EQ(mode, 0);
  ASSERT_FALSE(serial.empty());
  EXPECT_EQ(run_image(m, 2, Parallelism::kAgents, &mode), serial);
  EXPECT_EQ(mode, 0);
  EXPECT_EQ(run_image(m, 2, Parallelism::kAuto, &mode), serial);
  EXPECT_EQ(mode, 2);
  EXPECT_EQ(run_image(m, 3, Parallelism::kSideBySide, &mode), serial);
  EXPECT_EQ(mode, 3);
  m.replicates = 2;
  const std::vector<unsigned char> two = run_image(m, 1, Parallelism::kAgents);
  EXPECT_EQ(run_image(m, 4, Parallelism::kSideBySide, &mode), two);
  EXPECT_EQ(mode, 2);
}

}  // namespace
}  // namespace migrasim
