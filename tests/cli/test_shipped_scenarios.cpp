// Every scenario shipped with the project loads and compiles, and each policy
// scenario differs from the baseline only by its interventions.
#include <gtest/gtest.h>

#include <filesystem>

#include "input/scenario.hpp"
#include "model/model.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> shipped_scenarios() {
  std::vector<fs::path> files;
  for (const auto& dir : {fs::path(MIGRASIM_SOURCE_DIR) / "scenarios",
                          fs::path(MIGRASIM_SOURCE_DIR) / "scenarios" / "policies"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ShippedScenarios, AllCompile) {
  const auto files = shipped_scenarios();
  ASSERT_GE(files.size(), 8u);  // baseline, combined and six policies
  for (const auto& file : files) {
    EXPECT_NO_THROW(compile(load_scenario(file.string()))) << file;
  }
}

TEST(ShippedScenarios, PoliciesChangeOnlyInterventionsFrom2024) {
  const Model base = compile(load_scenario(MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml"));
  EXPECT_TRUE(base.interventions.empty());
  EXPECT_EQ(to_string(Date{base.start_date.days_since_epoch + static_cast<int>(base.steps) - 1}),
            "2025-12-31");
  for (const auto& file : shipped_scenarios()) {
    if (file.filename() == "baseline.yaml") continue;
    const Model m = compile(load_scenario(file.string()));
    EXPECT_EQ(m.steps, base.steps) << file;
    EXPECT_EQ(m.agents, base.agents) << file;
    EXPECT_EQ(m.seed, base.seed) << file;  // common random numbers for paired comparison
    EXPECT_FALSE(m.interventions.empty()) << file;
    for (const Intervention& v : m.interventions) {
      EXPECT_GE(v.start_step, m.first_step_from(*parse_date("2024-01-01")))
          << file << " " << v.name;
    }
  }
}

}  // namespace
}  // namespace migrasim
