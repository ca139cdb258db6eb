// `migrasim bench` (bench.cpp): the report of a small run is complete and
// consistent, and --json prints one JSON object with the documented keys.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/bench.hpp"
#include "engine/step.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

const std::string kTiny = MIGRASIM_SOURCE_DIR "/tests/data/tiny.yaml";

BenchOptions tiny_options() {
  BenchOptions o;
  o.scenario = kTiny;
  o.agents = 20000;
  o.steps = 20;
  o.warmup_steps = 10;
  o.threads = 2;
  return o;
}

TEST(Bench, ReportsRatesMemoryAndMachineLimits) {
  const BenchReport r = run_bench(tiny_options());
  EXPECT_EQ(r.scenario_name, "tiny");
  EXPECT_EQ(r.agents, 20000);
  EXPECT_EQ(r.steps, 20);
  EXPECT_EQ(r.warmup_steps, 10);
  // tiny.yaml: 2000 agents of 10 persons; the persons are kept.
  EXPECT_DOUBLE_EQ(r.persons_per_agent, 1.0);
  EXPECT_EQ(r.first_timed_date, "2022-03-11");
  EXPECT_EQ(r.last_timed_date, "2022-03-30");
  EXPECT_GT(r.agent_steps_per_second, 0.0);
  EXPECT_GT(r.setup_seconds, 0.0);
  EXPECT_GT(r.rmw_agents_per_second, 0.0);
  EXPECT_GT(r.rmw_bytes_per_second, 0.0);
  EXPECT_GT(r.draws_per_second, 0.0);
  EXPECT_GT(r.fraction_of_rmw(), 0.0);
  EXPECT_EQ(r.hot_bytes_per_agent, static_cast<double>(Agents::kBytesPerAgent));
  // Agents at home take 2 bytes each; the agent columns only those who left.
  EXPECT_GE(r.state_bytes_per_agent, 2.0);
  EXPECT_GT(r.peak_rss_bytes, r.state_bytes_per_agent * static_cast<double>(r.agents));
  double shares = 0.0;
  for (double share : r.status_share) shares += share;
  EXPECT_NEAR(shares, 1.0, 1e-12);

  // The stages, in step order, account for the timed steps.
  ASSERT_EQ(r.stages.size(), stages().size());
  EXPECT_EQ(r.stages.front().name, "environment");
  EXPECT_EQ(r.stages.back().name, "recording");
  double stage_sum = 0.0;
  for (const BenchStageTime& stage : r.stages) {
    EXPECT_GE(stage.seconds, 0.0) << stage.name;
    stage_sum += stage.seconds;
  }
  // Between the stages there is only the clock; allow for the process being
  // descheduled there on a busy machine.
  EXPECT_LE(stage_sum, r.timed_seconds * 1.0001);
  EXPECT_GE(stage_sum, r.timed_seconds - std::max(0.3 * r.timed_seconds, 0.02));
}

TEST(Bench, DefaultWarmUpIsHalfTheScenarioAndTimedStepsMustFit) {
  BenchOptions o = tiny_options();
  o.warmup_steps = -1;
  o.machine_limits = false;
  o.agents = 3000;
  const BenchReport r = run_bench(o);
  EXPECT_EQ(r.scenario_steps, 60);
  EXPECT_EQ(r.warmup_steps, 30);
  EXPECT_EQ(r.rmw_agents_per_second, 0.0);  // not measured
  o.steps = 50;                             // 30 + 50 > 60: the warm-up gives way
  EXPECT_EQ(run_bench(o).warmup_steps, 10);
  o.warmup_steps = 20;  // ...unless it was asked for
  EXPECT_THROW(run_bench(o), InputError);
  o.steps = 61;
  o.warmup_steps = 0;
  EXPECT_THROW(run_bench(o), InputError);
}

std::string read_all(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Bench, JsonIsOneObjectWithTheDocumentedKeys) {
  const fs::path dir = fs::temp_directory_path() / ("migrasim_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path json = dir / "bench.json";
  const std::string command = std::string(MIGRASIM_BINARY) + " bench --scenario '" + kTiny +
                              "' --agents 5000 --steps 5 --warmup-steps 3 --threads 1 --json > '" +
                              json.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  // Python's json module is the judge of well-formed JSON.
  const fs::path check = dir / "check.py";
  std::ofstream(check) << R"(import json, sys
text = open(sys.argv[1]).read()
report = json.loads(text)
assert isinstance(report, dict), "not an object"
assert text.strip().count("\n") == 0, "more than one line"
keys = ["version", "scenario", "scenario_file", "agents", "persons_per_agent", "threads", "scenario_steps",
        "warmup_steps", "steps", "first_timed_date", "last_timed_date", "posterior", "status_share",
        "route_aware_share",
        "setup_seconds", "compile_seconds", "allocate_seconds", "initialize_seconds", "warmup_seconds",
        "timed_seconds", "agent_steps_per_second", "agent_steps_per_second_per_thread", "stages",
        "bytes_per_agent", "peak_rss_bytes", "machine", "draw_kernel"]
missing = [k for k in keys if k not in report]
assert not missing, missing
assert report["agents"] == 5000 and report["steps"] == 5 and report["threads"] == 1
assert report["posterior"] is None
assert list(report["stages"]) == ["environment", "information", "decisions", "legal_pathways", "smuggling",
                                  "movement", "screening", "returns", "asylum", "feedback", "recording"], list(report["stages"])
for stage in report["stages"].values():
    assert set(stage) == {"seconds", "share", "agent_steps_per_second"}, stage
assert set(report["bytes_per_agent"]) == {"hot", "state", "peak_rss"}
assert set(report["machine"]) == {"rmw_agents_per_second", "rmw_bytes_per_second", "draws_per_second",
                                  "fraction_of_rmw", "fraction_of_draws"}
assert report["agent_steps_per_second"] > 0 and report["machine"]["draws_per_second"] > 0
assert abs(sum(report["status_share"].values()) - 1) < 1e-5
print("ok")
)";
  const std::string python = "/usr/bin/python3 '" + check.string() + "' '" + json.string() +
                             "' > '" + (dir / "out").string() + "' 2>&1";
  const int status = std::system(python.c_str());
  EXPECT_EQ(status, 0) << read_all(dir / "out") << "\n" << read_all(json);
  fs::remove_all(dir);
}

TEST(Bench, BadOptionsExitWithTwo) {
  const std::string command = std::string(MIGRASIM_BINARY) + " bench --scenario '" + kTiny +
                              "' --steps 1000 --no-limits > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace migrasim
