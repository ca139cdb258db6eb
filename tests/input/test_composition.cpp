// Scenarios that extend other scenarios: merging rules and error positions.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "input/composition.hpp"
#include "input/scenario.hpp"
#include "test_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

class Composition : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("migrasim_composition_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "policies");
    write("base.yaml", testing::tiny_scenario_yaml());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string error_of(const std::string& path) {
    try {
      load_scenario(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

TEST_F(Composition, MapsMergeKeyByKeyAndScalarsReplace) {
  const Scenario s = load_scenario(
      write("child.yaml", "extends: base.yaml\nname: child\ndecisions:\n  hardship_weight: 2.5\n"));
  EXPECT_EQ(s.name, "child");
  EXPECT_EQ(s.decisions.hardship_weight, 2.5);
  EXPECT_EQ(s.decisions.base_rate_per_day, 0.002);  // inherited
  EXPECT_EQ(s.population.agents, 4000);
  ASSERT_EQ(s.source_files.size(), 2u);
  EXPECT_EQ(s.source_files[1].first, (dir_ / "child.yaml").string());
}

TEST_F(Composition, NamedListsMergeByNameAndGrow) {
  const Scenario s = load_scenario(write("child.yaml", R"(extends: base.yaml
checkpoints:
  - {name: border_patrol, detection_probability: 0.4}
regions:
  - {name: east, population_share: 1, origin: home, push_factors: {economic_hardship: 0.1, repression: 0.1}}
)"));
  ASSERT_EQ(s.checkpoints.size(), 1u);
  EXPECT_EQ(s.checkpoints[0].detection_probability.initial(), 0.4);
  EXPECT_EQ(s.checkpoints[0].throughput_per_day->initial(), 40.0);  // inherited
  ASSERT_EQ(s.regions.size(), 3u);
  EXPECT_EQ(s.regions[2].name, "east");
}

TEST_F(Composition, UnnamedListsAreReplacedWhole) {
  const Scenario s = load_scenario(write("child.yaml", R"(extends: base.yaml
route:
  edges:
    - {from: home, to: hub, travel_days: 2}
    - {from: hub, to: road, travel_days: 6}
    - {from: road, to: border, travel_days: 2}
    - {from: border, to: north_land, travel_days: 1}
    - {from: hub, to: jungle, travel_days: 9}
    - {from: jungle, to: border, travel_days: 3}
)"));
  ASSERT_EQ(s.edges.size(), 6u);
  EXPECT_EQ(s.edges[4].travel_days.initial(), 9.0);
  EXPECT_EQ(s.nodes.size(), 6u);  // the sibling key is inherited
}

TEST_F(Composition, ChainsResolvePathsRelativeToEachFile) {
  write("policies/middle.yaml", "extends: ../base.yaml\nasylum: {capacity_per_day: 3}\n");
  const Scenario s =
      load_scenario(write("policies/top.yaml", "extends: middle.yaml\nrun: {seed: 99}\n"));
  EXPECT_EQ(s.asylum[0].capacity_per_day->initial(), 3.0);
  EXPECT_EQ(s.run.seed, 99u);
  EXPECT_EQ(s.source_files.size(), 3u);
  // The merged document is what ran, and it reads back to the same scenario.
  const Scenario again = parse_scenario(s.text, "merged.yaml");
  EXPECT_EQ(again.run.seed, 99u);
  EXPECT_EQ(again.asylum[0].capacity_per_day->initial(), 3.0);
}

TEST_F(Composition, ErrorsNameTheFileThatSetTheKey) {
  const std::string child =
      write("child.yaml", "extends: base.yaml\ndecisions:\n  hardship_weight: 2\n  bogus: 1\n");
  EXPECT_EQ(error_of(child).rfind(child + ":4:10: decisions.bogus: unknown key", 0), 0u)
      << error_of(child);
  const std::string bad_value =
      write("bad.yaml", "extends: base.yaml\ndecisions:\n  hardship_weight: 99\n");
  EXPECT_EQ(error_of(bad_value),
            bad_value + ":3:20: decisions.hardship_weight: must be between -50 and 50, got 99");
  // A problem in an inherited key still points into the base file.
  write("base.yaml", testing::tiny_with("agents: 4000", "agents: -1"));
  const std::string innocent = write("innocent.yaml", "extends: base.yaml\nname: x\n");
  EXPECT_EQ(
      error_of(innocent).rfind((dir_ / "base.yaml").string() + ":10:11: population.agents", 0), 0u)
      << error_of(innocent);
}

TEST_F(Composition, CyclesAndMissingParentsAreRefused) {
  write("a.yaml", "extends: b.yaml\n");
  write("b.yaml", "extends: a.yaml\n");
  EXPECT_NE(error_of((dir_ / "a.yaml").string()).find("extends this scenario in turn (a cycle)"),
            std::string::npos);
  const std::string orphan = write("orphan.yaml", "name: x\nextends: nowhere.yaml\n");
  EXPECT_NE(error_of(orphan).find(orphan + ":2:10: extends: cannot open the scenario file"),
            std::string::npos)
      << error_of(orphan);
  const std::string odd = write("odd.yaml", "extends: [a, b]\n");
  EXPECT_NE(error_of(odd).find("extends: expected the path of the scenario"), std::string::npos);
}

}  // namespace
}  // namespace migrasim
