// End-to-end tests of the migrasim command line (DESIGN.md section 3): exit codes, error
// messages that name file:line:column and the key, output files that are never left half
// written, the netCDF-4 layout as xarray sees it, and determinism across thread counts.
//
// Every test runs the real executable (MIGRASIM_BINARY) through the shell, in its own
// temporary directory, with stdout and stderr captured into files there.
//
// tests/data/bad/ holds one broken variant of tests/data/tiny.yaml per fault. Each file
// starts with one or more `# expect: TEXT` lines; every TEXT must appear in the error
// message of both `validate` and `run`. New files are picked up without editing this file.
//
// Runs that do not test threading pass --threads 1: on a loaded 2-core machine (ctest -j)
// OpenMP's spinning threads can make a 0.05 s run take seconds.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_support.hpp"
#include "util/random.hpp"
#include "util/version.hpp"

namespace fs = std::filesystem;

namespace {

using namespace migrasim::testing;
const fs::path kTiny = kSourceDir / "tests" / "data" / "tiny.yaml";
const fs::path kBadDir = kSourceDir / "tests" / "data" / "bad";

// What tests/data/tiny.yaml describes; the xarray check compares the file against these.
const std::vector<std::string> kTinyNodes = {"home", "hub", "jungle", "flight", "border", "haven"};
constexpr const char* kTinyStart = "2022-03-01";
constexpr int kTinyDays = 60;
constexpr int kTinySeed = 7;

// The `# expect: TEXT` lines at the top of a corpus file.
std::vector<std::string> expected_fragments(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> fragments;
  const std::string prefix = "# expect: ";
  for (std::string line; std::getline(in, line) && line.starts_with(prefix);) {
    fragments.push_back(line.substr(prefix.size()));
  }
  return fragments;
}

std::vector<std::string> bad_scenarios() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(kBadDir, error)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool python_has_xarray() {
  return std::system("/usr/bin/python3 -c 'import xarray' >/dev/null 2>&1") == 0;
}

// The tiny scenario with its `run:` section taken out (it is optional in the format).
std::string tiny_without_run_section() {
  std::istringstream in(read_text(kTiny));
  std::string text;
  bool skipping = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "run:")
      skipping = true;
    else if (skipping && !line.starts_with(" "))
      skipping = false;
    if (!skipping) text += line + "\n";
  }
  return text;
}

// gtest parameter names allow only letters, digits and '_'.
std::string test_name(const std::string& file) {
  std::string name = fs::path(file).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// (a) The corpus of bad scenarios: exit 2, the expected message, and no output left over.

TEST(CliBadCorpus, HasFilesAndEachHasAnExpectation) {
  const auto names = bad_scenarios();
  // Guards against the corpus silently vanishing (a moved directory would run zero cases).
  ASSERT_GE(names.size(), 20u) << "corpus directory: " << kBadDir;
  for (const auto& name : names) {
    const auto fragments = expected_fragments(kBadDir / name);
    EXPECT_FALSE(fragments.empty()) << name << " has no '# expect: ' line at the top";
    for (const auto& fragment : fragments) EXPECT_FALSE(fragment.empty()) << name;
  }
}

TEST(CliBadCorpus, TinyScenarioIsValid) {
  // Every corpus file is this one with one fault; if it broke, every case would pass vacuously.
  const TempDir dir;
  const Result r = run_migrasim({"validate", kTiny.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

class CliBadScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(CliBadScenario, ValidateAndRunRejectIt) {
  const fs::path file = kBadDir / GetParam();
  const auto fragments = expected_fragments(file);
  ASSERT_FALSE(fragments.empty()) << file;
  const TempDir dir;

  const Result validate = run_migrasim({"validate", file.string()}, dir.path());
  EXPECT_EQ(validate.exit_code, 2) << validate.err;
  for (const auto& fragment : fragments) {
    EXPECT_NE(validate.err.find(fragment), std::string::npos)
        << "validate: stderr lacks \"" << fragment << "\"\nstderr: " << validate.err;
  }

  // The output goes to its own directory, so "nothing left" means an empty directory: no
  // OUT, no OUT.tmp.*, nothing else.
  const fs::path out_dir = dir / "out";
  fs::create_directory(out_dir);
  const Result run = run_migrasim(
      {"run", file.string(), "-o", (out_dir / "result.h5").string(), "--quiet"}, dir.path());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  for (const auto& fragment : fragments) {
    EXPECT_NE(run.err.find(fragment), std::string::npos)
        << "run: stderr lacks \"" << fragment << "\"\nstderr: " << run.err;
  }
  EXPECT_EQ(directory_listing(out_dir), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(CliBad, CliBadScenario, ::testing::ValuesIn(bad_scenarios()),
                         [](const auto& param) { return test_name(param.param); });

// ---------------------------------------------------------------------------------------
// (b) --set overrides.

struct SetCase {
  std::string assignment;
  std::string expected;  // a fragment of the message, after "--set ASSIGNMENT: "
};

class CliSetError : public ::testing::TestWithParam<SetCase> {};

TEST_P(CliSetError, ExitsTwoNamingTheOption) {
  const SetCase& c = GetParam();
  const TempDir dir;
  for (const std::string command : {"validate", "run"}) {
    std::vector<std::string> args = {command, kTiny.string(), "--set", c.assignment};
    if (command == "run") args.insert(args.end(), {"-o", (dir / "out.h5").string()});
    const Result r = run_migrasim(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    // The message must point at the option, not at a line of the file it did not come from.
    const std::string option = "--set " + c.assignment + ": ";
    EXPECT_NE(r.err.find(option + c.expected), std::string::npos)
        << command << ": expected \"" << option << c.expected << "\" in: " << r.err;
    EXPECT_FALSE(fs::exists(dir / "out.h5"));
  }
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(
    Cli, CliSetError,
    ::testing::Values(
        SetCase{"route.nodez.1.kind=transit", "route.nodez: unknown key; did you mean 'nodes'?"},
        SetCase{"population.agentz=5", "population.agentz: unknown key; did you mean 'agents'?"},
        SetCase{"route.edges.9.travel_days=3", "route.edges has no element '9'"},
        SetCase{"run.seed.x=1", "run.seed is a single value"},
        SetCase{"population.agents", "expected KEY.PATH=VALUE"},
        SetCase{"population.agents=many", "population.agents: expected a number, got 'many'"},
        SetCase{"population.agents=\"5\"", "population.agents: expected a number, got the quoted"},
        SetCase{"time.start=2022-13-01", "time.start: expected a date as YYYY-MM-DD"},
        SetCase{"checkpoints.0.detection_probability=1.5",
                "checkpoints[0].detection_probability: must be between 0 and 1, got 1.5"},
        SetCase{"route.edges[1].travel_days=-1",
                "route.edges[1].travel_days: must be between 0 and"},
        SetCase{"population.agents=0", "population.agents: must be a whole number between 1"},
        // Cross-reference errors found after parsing still name the option.
        SetCase{"regions.north.origin=nowhere", "regions[0].origin: unknown node 'nowhere'"}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST(CliSet, ValidOverrideChangesTheResult) {
  const TempDir dir;
  const Result a =
      run_migrasim({"run", kTiny.string(), "-o", "a.h5", "--quiet", "--threads", "1"}, dir.path());
  const Result b = run_migrasim({"run", kTiny.string(), "-o", "b.h5", "--quiet", "--threads", "1",
                                 "--set", "run.seed=" + std::to_string(kTinySeed + 1)},
                                dir.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(read_numeric_datasets(dir / "a.h5"), read_numeric_datasets(dir / "b.h5"));

  // An override reaches the model, not only the output: validate reports the new count.
  const Result c =
      run_migrasim({"validate", kTiny.string(), "--set", "population.agents=1234"}, dir.path());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("1234 agents"), std::string::npos) << c.out;
}

// ---------------------------------------------------------------------------------------
// (c) run: writing, refusing to overwrite, --force, unwritable destinations.

// Every draw kernel the CPU has (MIGRASIM_DRAW_KERNEL), for the step's draws, the
// agent selection and the initial population alike, writes the same file: a
// year of the baseline, large enough for every vector path to run.
TEST(CliRun, EveryDrawKernelWritesTheSameData) {
  const TempDir dir;
  std::map<std::string, std::vector<double>> portable;
  for (const migrasim::DrawKernel kernel : migrasim::available_draw_kernels()) {
    const std::string name = migrasim::to_string(kernel);
    const Result r =
        run_command("env",
                    {"MIGRASIM_DRAW_KERNEL=" + name, kBinary.string(), "run",
                     (kSourceDir / "scenarios" / "baseline.yaml").string(), "-o", name + ".h5",
                     "--quiet", "--threads", "2", "--replicates", "1", "--set",
                     "population.agents=20000", "--set", "time.end=2021-12-31"},
                    dir.path());
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const auto data = read_numeric_datasets(dir / (name + ".h5"));
    if (kernel == migrasim::DrawKernel::kPortable) {
      portable = data;
      ASSERT_FALSE(portable.empty());
    } else {
      EXPECT_TRUE(data == portable) << name << " differs from the portable kernel";
    }
  }
}

TEST(CliRun, WritesTheOutputFile) {
  const TempDir dir;
  const Result r =
      run_migrasim({"run", kTiny.string(), "-o", "out.h5", "--threads", "1"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("out.h5"), std::string::npos) << r.out;
  // Only the output: the temporary was renamed, not copied.
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{"out.h5"});
  EXPECT_TRUE(read_text(dir / "out.h5").starts_with("\x89HDF\r\n\x1a\n"));
}

TEST(CliRun, RefusesToOverwriteWithoutForce) {
  const TempDir dir;
  const std::string sentinel = "an earlier result the user wants to keep\n";
  write_text(dir / "out.h5", sentinel);

  const Result refused =
      run_migrasim({"run", kTiny.string(), "-o", "out.h5", "--threads", "1"}, dir.path());
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("already exists"), std::string::npos) << refused.err;
  EXPECT_EQ(read_text(dir / "out.h5"), sentinel);
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{"out.h5"});

  const Result forced = run_migrasim(
      {"run", kTiny.string(), "-o", "out.h5", "--force", "--threads", "1"}, dir.path());
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(read_text(dir / "out.h5").starts_with("\x89HDF")) << "not overwritten";
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{"out.h5"});
}

TEST(CliRun, NonexistentOutputDirectoryFails) {
  const TempDir dir;
  const Result r =
      run_migrasim({"run", kTiny.string(), "-o", "missing/out.h5", "--threads", "1"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("'missing' does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{});
}

TEST(CliRun, UnwritableOutputDirectoryFails) {
  const TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  chmod(locked.c_str(), 0555);
  // Root writes through directory permissions; /proc/self refuses new files even to root.
  const fs::path target =
      access(locked.c_str(), W_OK) == 0 ? fs::path("/proc/self/out.h5") : locked / "out.h5";
  const Result r =
      run_migrasim({"run", kTiny.string(), "-o", target.string(), "--threads", "1"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string message = target.parent_path().string();
  message += "' is not writable";
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(directory_listing(locked), std::vector<std::string>{});
}

TEST(CliRun, SeedAndReplicatesOptionsWorkWithoutRunSection) {
  // `run:` is optional in a scenario, so --seed and --replicates must not depend on it.
  const TempDir dir;
  write_text(dir / "norun.yaml", tiny_without_run_section());
  const Result valid = run_migrasim({"validate", "norun.yaml"}, dir.path());
  ASSERT_EQ(valid.exit_code, 0) << "the test's scenario should be valid: " << valid.err;
  const Result r = run_migrasim({"run", "norun.yaml", "-o", "out.h5", "--quiet", "--threads", "1",
                                 "--seed", "5", "--replicates", "2"},
                                dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "out.h5"));
}

// ---------------------------------------------------------------------------------------
// (d) Basic usage.

TEST(CliBasics, VersionPrintsNameAndVersion) {
  const TempDir dir;
  const Result r = run_migrasim({"--version"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("migrasim ") + migrasim::kVersion + "\n");
}

TEST(CliBasics, HelpMentionsBothCommands) {
  const TempDir dir;
  const Result r = run_migrasim({"--help"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("run"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("validate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos) << r.out;

  const Result run_help = run_migrasim({"run", "--help"}, dir.path());
  EXPECT_EQ(run_help.exit_code, 0) << run_help.err;
  for (const char* option :
       {"--output", "--replicates", "--seed", "--threads", "--set", "--force"}) {
    EXPECT_NE(run_help.out.find(option), std::string::npos) << option << " in:\n" << run_help.out;
  }
}

TEST(CliBasics, BadUsageExitsTwo) {
  const TempDir dir;
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus"},
      {},                                                  // no command
      {"frobnicate", kTiny.string()},                      // unknown command
      {"run", kTiny.string()},                             // no -o
      {"run", kTiny.string(), "-o", "out.h5", "--bogus"},  // unknown option
      {"run", kTiny.string(), "-o", "out.h5", "--threads", "0"},
      {"run", kTiny.string(), "-o", "out.h5", "--replicates", "zero"},
      {"validate"},  // no scenario
  };
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    const Result r = run_migrasim(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << "migrasim" << shown << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << "migrasim" << shown;
  }
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{});
}

TEST(CliBasics, MissingScenarioFileExitsTwo) {
  const TempDir dir;
  const Result v = run_migrasim({"validate", "no_such.yaml"}, dir.path());
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("no_such.yaml: cannot open the scenario file"), std::string::npos) << v.err;
  const Result r = run_migrasim({"run", "no_such.yaml", "-o", "out.h5"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no_such.yaml"), std::string::npos) << r.err;
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{});
}

// ---------------------------------------------------------------------------------------
// (e) The file as a visualization script sees it: xarray with no options.

TEST(CliXarray, OpensWithNamedDimensionsUnitsAndProvenance) {
  const TempDir dir;
  const Result r = run_migrasim(
      {"run", kTiny.string(), "-o", "out.h5", "--replicates", "2", "--quiet", "--threads", "1"},
      dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (!python_has_xarray()) GTEST_SKIP() << "/usr/bin/python3 cannot import xarray";

  std::string nodes;
  for (const auto& n : kTinyNodes) nodes += (nodes.empty() ? "" : ",") + n;
  write_text(dir / "check.py", R"PY(
import sys
import numpy as np
import xarray as xr

path, scenario, nodes, start, days, seed, version, sleef = sys.argv[1:]
ds = xr.open_dataset(path)
sizes = {"replicate": 2, "time": int(days), "node": 6, "edge": 6, "checkpoint": 1}
assert dict(ds.sizes) == sizes, dict(ds.sizes)  # no networks: no network axis

labels = list(ds["node"].values)
assert all(type(x) is str for x in labels), [type(x) for x in labels]
assert labels == nodes.split(","), labels

time = ds["time"].values
assert np.issubdtype(time.dtype, np.datetime64), time.dtype
assert time[0] == np.datetime64(start), time[0]
assert (np.diff(time) == np.timedelta64(1, "D")).all(), "time steps are not one day"

for name, var in ds.data_vars.items():
    assert "units" in var.attrs, name + " has no units"
    assert var.attrs.get("long_name"), name + " has no long_name"
assert ds["border_encounters"].dims == ("replicate", "time"), ds["border_encounters"].dims
assert ds["node_stock"].dims == ("replicate", "time", "node"), ds["node_stock"].dims
assert ds["edge_deaths"].dims == ("replicate", "time", "edge"), ds["edge_deaths"].dims
assert "home->hub" in list(ds["edge"].values), list(ds["edge"].values)
assert ds["checkpoint_apprehensions"].dims == ("replicate", "time", "checkpoint")
# The per-place series add up to the totals.
assert (ds["edge_deaths"].sum("edge") == ds["deaths"]).all()
assert (ds["checkpoint_apprehensions"].sum("checkpoint") == ds["apprehensions"]).all()

with open(scenario, encoding="utf-8") as f:
    assert ds.attrs["scenario_yaml"] == f.read(), "scenario_yaml differs from the file"
assert int(ds.attrs["seed"]) == int(seed), ds.attrs["seed"]
assert int(ds.attrs["replicates"]) == 2, ds.attrs["replicates"]
assert ds.attrs["migrasim_version"] == version, ds.attrs["migrasim_version"]
assert ds.attrs["sleef_version"] == sleef and sleef.count(".") == 2, ds.attrs["sleef_version"]
cmd = ds.attrs["command_line"]
assert isinstance(cmd, str) and " run " in cmd and "--replicates 2" in cmd, cmd
print("ok")
)PY");
  const Result py = run_command("/usr/bin/python3",
                                {"check.py", (dir / "out.h5").string(), kTiny.string(), nodes,
                                 kTinyStart, std::to_string(kTinyDays), std::to_string(kTinySeed),
                                 migrasim::kVersion, migrasim::kSleefVersion},
                                dir.path());
  EXPECT_EQ(py.exit_code, 0) << py.out << py.err;
  EXPECT_EQ(py.out, "ok\n") << py.err;
}

// ---------------------------------------------------------------------------------------
// (f) Determinism through the binary: threads do not change the data, the seed does.

TEST(CliDeterminism, ThreadCountDoesNotChangeDataButSeedDoes) {
  const TempDir dir;
  auto run = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", kTiny.string(), "-o", out, "--replicates",
                                     "2",   "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = run_migrasim(args, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_numeric_datasets(dir / out);
  };
  const auto one = run("t1.h5", {"--threads", "1"});
  const auto two = run("t2.h5", {"--threads", "2"});
  const auto four = run("t4.h5", {"--threads", "4"});
  const auto other_seed = run("s.h5", {"--threads", "2", "--seed", "8"});

  ASSERT_TRUE(one.contains("border_encounters") && one.contains("node_stock"));
  ASSERT_EQ(one.size(), two.size());
  for (const auto& [name, values] : one) {
    ASSERT_TRUE(two.contains(name)) << name;
    // Bit-identical, so compare exactly (EXPECT_EQ on vectors of doubles uses ==).
    EXPECT_EQ(values, two.at(name)) << name << " differs between --threads 1 and 2";
    EXPECT_EQ(values, four.at(name)) << name << " differs between --threads 1 and 4";
  }
  // A tiny run still has thousands of draws: a new seed must change the flows.
  EXPECT_NE(one.at("departures"), other_seed.at("departures"));
  EXPECT_NE(one.at("node_stock"), other_seed.at("node_stock"));
}

// ---------------------------------------------------------------------------------------
// (g) Waiting OpenMP threads sleep (sim/cli/openmp_wait.cpp) unless the user chose how they
// wait: the runtime, asked to print its settings, shows the spin count it started with
// (0 for the passive policy; 300,000 is its own default). A restarted executable prints
// them twice, the last time for the process that ran.

TEST(CliOpenMp, WaitingThreadsSleepUnlessTheUserChoseOtherwise) {
  const TempDir dir;
  const auto spin_count = [&](std::vector<std::string> settings) {
    std::vector<std::string> args = {"-u", "OMP_WAIT_POLICY", "-u", "GOMP_SPINCOUNT",
                                     "OMP_DISPLAY_ENV=verbose"};
    args.insert(args.end(), settings.begin(), settings.end());
    args.insert(args.end(), {kBinary.string(), "--version"});
    const Result r = run_command("/usr/bin/env", args, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string all = r.out + r.err;
    const std::string key = "GOMP_SPINCOUNT = '";
    const std::size_t at = all.rfind(key);  // the runtime of the process that ran
    EXPECT_NE(at, std::string::npos) << all;
    if (at == std::string::npos) return std::string();
    const std::size_t from = at + key.size();
    return all.substr(from, all.find('\'', from) - from);
  };
  EXPECT_EQ(spin_count({}), "0");
  EXPECT_NE(spin_count({"OMP_WAIT_POLICY=ACTIVE"}), "0");
  EXPECT_EQ(spin_count({"GOMP_SPINCOUNT=1000"}), "1000");
}
