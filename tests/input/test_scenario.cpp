#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "input/scenario.hpp"
#include "test_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::tiny_scenario_yaml;
using testing::tiny_with;

// "line:column" (1-based) of the first occurrence of `needle` in `text`.
std::string position_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  const std::size_t line_start =
      text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  return std::to_string(line) + ":" + std::to_string(at - line_start + 1);
}

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    parse_scenario(text, "tiny.yaml", overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Scenario, ReadsEveryFieldOfTheTinyScenario) {
  const Scenario s = parse_scenario(tiny_scenario_yaml(), "tiny.yaml");
  EXPECT_EQ(s.name, "tiny");
  EXPECT_EQ(to_string(s.time.start), "2022-01-01");
  EXPECT_EQ(s.run.seed, 7u);
  EXPECT_EQ(s.run.replicates, 2u);
  EXPECT_EQ(s.population.agents, 4000);
  EXPECT_EQ(s.population.persons_per_agent, 2.0);
  ASSERT_EQ(s.regions.size(), 2u);
  EXPECT_EQ(s.regions[0].economic_hardship.values, (std::vector<double>{0.2, 0.8}));
  EXPECT_EQ(s.regions[1].repression.values, (std::vector<double>{0.1}));
  ASSERT_EQ(s.edges.size(), 6u);
  EXPECT_EQ(s.edges[1].mortality_per_day.initial(), 0.001);
  EXPECT_EQ(s.edges[1].choice_weight.initial(), 3.0);
  EXPECT_EQ(s.edges[0].choice_weight.initial(), 1.0);  // the default
  ASSERT_EQ(s.checkpoints.size(), 1u);
  EXPECT_EQ(s.checkpoints[0].throughput_per_day->initial(), 40.0);
  EXPECT_EQ(s.asylum[0].capacity_per_day->initial(), 10.0);
  EXPECT_EQ(s.text, tiny_scenario_yaml());
}

TEST(Scenario, NegativeCountNamesLineColumnAndKey) {
  const std::string text = tiny_with("agents: 4000", "agents: -5");
  EXPECT_EQ(error_of(text), "tiny.yaml:" + position_of(text, "-5") +
                                ": population.agents: must be a whole number between 1 and "
                                "2147483648, got -5");
}

TEST(Scenario, ProbabilityAboveOneIsRefused) {
  const std::string text = tiny_with("detection_probability: 0.8", "detection_probability: 1.5");
  EXPECT_EQ(error_of(text),
            "tiny.yaml:" + position_of(text, "1.5\n    throughput") +
                ": checkpoints[0].detection_probability: must be between 0 and 1, got 1.5");
}

TEST(Scenario, AsylumIsOneSystemOrAListOfNamedSystems) {
  const Scenario one = parse_scenario(tiny_scenario_yaml(), "tiny.yaml");
  ASSERT_EQ(one.asylum.size(), 1u);
  EXPECT_FALSE(one.asylum_is_list);
  EXPECT_EQ(one.asylum[0].name, "asylum");
  EXPECT_TRUE(one.asylum[0].nodes.empty());
  EXPECT_EQ(one.asylum[0].removal_probability.initial(), 1.0);
  const std::string listed =
      tiny_with("asylum:\n  capacity_per_day: 10\n  min_processing_days: 5\n",
                "asylum:\n  - {name: north, nodes: [north_land], removal_probability: 0.4}\n");
  const Scenario two = parse_scenario(listed, "tiny.yaml");
  ASSERT_EQ(two.asylum.size(), 1u);
  EXPECT_TRUE(two.asylum_is_list);
  EXPECT_EQ(two.asylum[0].nodes, std::vector<std::string>{"north_land"});
  EXPECT_EQ(two.asylum[0].removal_probability.initial(), 0.4);
  // A system in a list names its nodes; probabilities are checked where written.
  const std::string unnamed =
      tiny_with("asylum:\n  capacity_per_day: 10\n  min_processing_days: 5\n",
                "asylum:\n  - {name: north, capacity_per_day: 3}\n");
  EXPECT_EQ(error_of(unnamed), "tiny.yaml:" + position_of(unnamed, "{name: north, capacity") +
                                   ": asylum[0]: missing required key 'nodes'");
  const std::string bad = tiny_with("min_processing_days: 5", "min_claim_strength: 1.2");
  EXPECT_EQ(error_of(bad), "tiny.yaml:" + position_of(bad, "1.2") +
                               ": asylum.min_claim_strength: must be between 0 and 1, got 1.2");
}

TEST(Scenario, UnknownKeySuggestsTheClosestAllowedKey) {
  const std::string text = tiny_with("step_days: 1", "step_day: 1");
  const std::string error = error_of(text);
  EXPECT_EQ(error.rfind("tiny.yaml:5:3: time.step_day: unknown key; did you mean 'step_days'?", 0),
            0u)
      << error;
}

TEST(Scenario, DuplicateKeyIsAnError) {
  const std::string text = tiny_with("  step_days: 1\n", "  step_days: 1\n  step_days: 2\n");
  EXPECT_EQ(error_of(text),
            "tiny.yaml:6:3: time.step_days: duplicate key; each key may appear once");
}

TEST(Scenario, WrongTypeNamesWhatWasExpected) {
  const std::string text = tiny_with("replicates: 2", "replicates: two");
  EXPECT_EQ(error_of(text), "tiny.yaml:8:15: run.replicates: expected a number, got 'two'");
  const std::string list = tiny_with("agents: 4000", "agents: [4000]");
  EXPECT_EQ(error_of(list), "tiny.yaml:10:11: population.agents: expected a number, got a list");
}

TEST(Scenario, QuotedNumbersAndYamlBooleansAreNotNumbers) {
  const std::string text = tiny_with("hardship_weight: 1.5", "hardship_weight: \"1.5\"");
  EXPECT_NE(
      error_of(text).find("decisions.hardship_weight: expected a number, got the quoted string"),
      std::string::npos);
}

TEST(Scenario, NonFiniteAndHugeNumbersAreRefused) {
  EXPECT_NE(error_of(tiny_with("cost_usd: 500", "cost_usd: .nan"))
                .find("route.edges[0].cost_usd: expected a number"),
            std::string::npos);
  EXPECT_NE(error_of(tiny_with("cost_usd: 500", "cost_usd: 1e400")).find("is not a finite number"),
            std::string::npos);
  EXPECT_NE(error_of(tiny_with("agents: 4000", "agents: 1e30"))
                .find("population.agents: '1e30' is too large"),
            std::string::npos);
}

TEST(Scenario, WholeNumbersMayBeWrittenInScientificOrGroupedForm) {
  EXPECT_EQ(parse_scenario(tiny_with("agents: 4000", "agents: 4e3"), "t").population.agents, 4000);
  EXPECT_EQ(parse_scenario(tiny_with("agents: 4000", "agents: 4_000"), "t").population.agents,
            4000);
  // A leading zero is decimal, not YAML 1.1 octal.
  EXPECT_EQ(parse_scenario(tiny_with("agents: 4000", "agents: 010"), "t").population.agents, 10);
  EXPECT_NE(error_of(tiny_with("agents: 4000", "agents: 4000.5")).find("expected a whole number"),
            std::string::npos);
}

TEST(Scenario, SeriesDatesMustIncrease) {
  const std::string text =
      tiny_with("{2022-01-01: 0.2, 2022-03-01: 0.8}", "{2022-03-01: 0.2, 2022-01-01: 0.8}");
  EXPECT_EQ(error_of(text),
            "tiny.yaml:" + position_of(text, "2022-01-01: 0.8") +
                ": regions[0].push_factors.economic_hardship.2022-01-01: dates must be in "
                "increasing order; 2022-01-01 comes after 2022-03-01");
}

TEST(Scenario, EndBeforeStartAndBadDatesAreRefused) {
  const std::string early = tiny_with("end: 2022-03-01", "end: 2021-12-31");
  EXPECT_EQ(error_of(early),
            "tiny.yaml:4:8: time.end: the end date 2021-12-31 is before the start date 2022-01-01");
  const std::string bad = tiny_with("start: 2022-01-01", "start: 2022-02-30");
  EXPECT_EQ(error_of(bad),
            "tiny.yaml:3:10: time.start: expected a date as YYYY-MM-DD, got '2022-02-30'");
}

TEST(Scenario, MissingRequiredKeyPointsAtItsParent) {
  const std::string text = tiny_with("  agents: 4000\n", "");
  EXPECT_EQ(error_of(text), "tiny.yaml:10:3: population: missing required key 'agents'");
}

TEST(Scenario, MalformedEmptyAndBinaryDocumentsAreRefused) {
  EXPECT_EQ(error_of(""), "tiny.yaml:1:1: the file is empty; expected a mapping of keys");
  EXPECT_EQ(error_of("# only a comment\n"),
            "tiny.yaml:1:1: the file is empty; expected a mapping of keys");
  EXPECT_EQ(error_of(std::string("a: \x01\x00\xff", 6)),
            "tiny.yaml:1:1: not a YAML text file (binary content or invalid UTF-8)");
  EXPECT_EQ(error_of("- a\n- b\n"),
            "tiny.yaml:1:1: expected a mapping of keys at the top level, got a list");
  const std::string tabs = tiny_with("  step_days: 1", "\tstep_days: 1");
  EXPECT_EQ(error_of(tabs).rfind("tiny.yaml:5:", 0), 0u) << error_of(tabs);
  EXPECT_NE(error_of("time: {start: [2022-01-01\n").find("invalid YAML"), std::string::npos);
  EXPECT_NE(error_of(std::string(5000, '[')).find("invalid YAML"), std::string::npos);
}

TEST(Scenario, OverridesReplaceScalarsByPathIndexOrName) {
  const Scenario s =
      parse_scenario(tiny_scenario_yaml(), "t",
                     {"run.seed=99", "route.edges[1].travel_days=9", "route.edges.2.cost_usd=1",
                      "regions.south.population_share=0.5", "asylum.min_processing_days=0"});
  EXPECT_EQ(s.run.seed, 99u);
  EXPECT_EQ(s.edges[1].travel_days.initial(), 9.0);
  EXPECT_EQ(s.edges[2].cost_usd.initial(), 1.0);
  EXPECT_EQ(s.regions[1].population_share, 0.5);
  EXPECT_EQ(s.asylum[0].min_processing_days.initial(), 0.0);
  EXPECT_EQ(s.overrides.size(), 5u);
}

TEST(Scenario, OverrideErrorsNameTheOption) {
  EXPECT_EQ(error_of(tiny_scenario_yaml(), {"population.agents=-1"}),
            "--set population.agents=-1: population.agents: must be a whole number between 1 and "
            "2147483648, got -1");
  EXPECT_EQ(
      error_of(tiny_scenario_yaml(), {"time.step_dayz=2"})
          .rfind("--set time.step_dayz=2: time.step_dayz: unknown key; did you mean 'step_days'?",
                 0),
      0u);
  EXPECT_EQ(error_of(tiny_scenario_yaml(), {"nosuch.key=1"})
                .rfind("--set nosuch.key=1: nosuch: unknown key", 0),
            0u);
  // Optional sections absent from the file can be set.
  EXPECT_EQ(parse_scenario(tiny_scenario_yaml(), "t", {"information.memory_days=5"})
                .information.memory_days,
            5.0);
  EXPECT_EQ(
      error_of(tiny_scenario_yaml(), {"route.edges.12.travel_days=1"}),
      "--set route.edges.12.travel_days=1: route.edges has no element '12' (6 elements; use an "
      "index or an element's name)");
  EXPECT_EQ(error_of(tiny_scenario_yaml(), {"run.seed"}),
            "--set run.seed: expected KEY.PATH=VALUE");
  EXPECT_EQ(error_of(tiny_scenario_yaml(), {"run.seed.x=1"}),
            "--set run.seed.x=1: run.seed is a single value; it has no key 'x'");
}

// Also kept as fuzzing regressions (tests/fuzz/regressions/fuzz_scenario/): an
// alias inside the value it names sent the reader round forever (a stack
// overflow), and aliases of aliases made a few lines stand for billions of values.
TEST(Scenario, AliasesThatMakeAValueInfiniteOrHugeAreRefused) {
  const std::string loop = tiny_scenario_yaml() + "loop: &loop [1, *loop]\n";
  EXPECT_EQ(error_of(loop), "tiny.yaml:" + position_of(loop, "&loop") +
                                ": invalid YAML: an alias (*name) in this value refers to the "
                                "value itself, which would make it infinite");
  std::string laughs = "laughs:\n  - &l0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int level = 1; level < 8; ++level) {
    const std::string alias = "*l" + std::to_string(level - 1);
    laughs += "  - &l" + std::to_string(level) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k ? ", " : "") + alias;
    laughs += "]\n";
  }
  EXPECT_NE(error_of(tiny_scenario_yaml() + laughs)
                .find(": invalid YAML: aliases (*name) expand the document"),
            std::string::npos);
  // The same within a --set value.
  EXPECT_EQ(error_of(tiny_scenario_yaml(), {"regions=&a [*a]"}),
            "--set regions=&a [*a]: the value is not valid YAML: an alias (*name) in this value "
            "refers to the value itself, which would make it infinite");
  // Aliases used sensibly still work.
  std::string shared = tiny_with("economic_hardship: {", "economic_hardship: &rising {");
  shared.replace(shared.find("economic_hardship: 0.6"), 22, "economic_hardship: *rising");
  const Scenario s = parse_scenario(shared, "t");
  EXPECT_EQ(s.regions[1].economic_hardship.values, (std::vector<double>{0.2, 0.8}));
}

// A file that never ends (/dev/zero, a pipe left open) is refused before a
// byte is read: only regular files are read. A regular file is read only up to
// the size limit, then refused, instead of filling the memory.
TEST(Scenario, EndlessAndOversizedFilesAreRefused) {
  try {
    load_scenario("/dev/zero");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/dev/zero: the scenario file '/dev/zero' is a character device, not a regular file");
  }
  const std::filesystem::path big =
      std::filesystem::temp_directory_path() / ("migrasim_big_" + std::to_string(::getpid()));
  { std::ofstream(big) << "name: x\n"; }
  std::filesystem::resize_file(big, (16u << 20) + 100);  // sparse: no disk used
  try {
    load_scenario(big.string());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), big.string() +
                                         ": the file is larger than 16 MiB, the limit for "
                                         "scenario and sweep files");
  }
  std::filesystem::remove(big);
}

}  // namespace
}  // namespace migrasim
