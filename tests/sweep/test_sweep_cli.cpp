// `migrasim sweep` end to end, through the real executable: the bad sweep-file
// corpus, bit-identical files for any number of threads and MPI ranks, and
// sweeps stopped by signals (SIGINT, SIGTERM, SIGKILL) then resumed.
//
// tests/data/bad_sweeps/ holds one broken sweep file per fault, each starting
// with `# expect: TEXT` lines that must all appear in the error message.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include "cli_support.hpp"

namespace {

using namespace migrasim::testing;

const fs::path kBadSweeps = kSourceDir / "tests" / "data" / "bad_sweeps";
const fs::path kTiny = kSourceDir / "tests" / "data" / "tiny.yaml";

// Enough members that a signal sent after a few finished ones finds the sweep
// still running (about 30 ms a member on one thread).
std::string long_sweep(int samples) {
  return "scenario: " + kTiny.string() + R"(
design: latin_hypercube
samples: )" +
         std::to_string(samples) + R"(
replicates: 2
seed: 5
set: {population.agents: 20000}
parameters:
  - {name: base_rate, key: decisions.base_rate_per_day, range: [1.0e-4, 4.0e-4]}
  - {name: hardship, key: decisions.hardship_weight, range: [1, 3]}
outputs:
  - {name: encounters, series: border_encounters, reduce: sum}
  - {name: departures, series: departures}
)";
}

std::vector<std::string> bad_sweeps() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kBadSweeps)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SweepCliBad : public ::testing::TestWithParam<std::string> {};

TEST_P(SweepCliBad, ExitsTwoWithTheExpectedMessageAndWritesNothing) {
  const TempDir dir;
  const fs::path file = kBadSweeps / GetParam();
  std::vector<std::string> expected;
  {
    std::ifstream in(file, std::ios::binary);
    for (std::string line; std::getline(in, line) && line.starts_with("# expect: ");)
      expected.push_back(line.substr(10));
  }
  ASSERT_FALSE(expected.empty()) << GetParam() << " has no '# expect:' line";
  // A copy beside a copy of tiny.yaml, as in the corpus folder, run from its
  // own folder so messages name the file as given (and captured output stays
  // out of the source tree).
  fs::create_directories(dir / "bad_sweeps");
  fs::copy_file(file, dir / "bad_sweeps" / GetParam());
  fs::copy_file(kTiny, dir / "tiny.yaml");
  fs::create_directories(dir / "out");
  const Result r =
      run_command(kBinary.string(),
                  {"sweep", GetParam(), "-o", (dir / "out").string() + "/out.h5", "--threads", "1"},
                  dir / "bad_sweeps");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string& fragment : expected)
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  EXPECT_TRUE(directory_listing(dir / "out").empty());
}

INSTANTIATE_TEST_SUITE_P(Corpus, SweepCliBad, ::testing::ValuesIn(bad_sweeps()),
                         [](const auto& param_info) {
                           std::string name =
                               param_info.param.substr(0, param_info.param.size() - 5);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Everything but the attributes (command_line differs between the runs).
void expect_same_data(const fs::path& a, const fs::path& b) {
  const auto left = read_numeric_datasets(a), right = read_numeric_datasets(b);
  ASSERT_EQ(left.size(), right.size());
  for (const auto& [name, values] : left) {
    ASSERT_TRUE(right.count(name)) << name;
    const auto& other = right.at(name);
    ASSERT_EQ(values.size(), other.size()) << name;
    EXPECT_EQ(std::memcmp(values.data(), other.data(), values.size() * sizeof(double)), 0) << name;
  }
}

TEST(SweepCli, SameBitsForOneAndTwoThreads) {
  const TempDir dir;
  write_text(dir / "s.yaml", long_sweep(8));
  for (const char* threads : {"1", "2"}) {
    const Result r = run_migrasim(
        {"sweep", "s.yaml", "-o", std::string("t") + threads + ".h5", "--threads", threads},
        dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ran 8 in"), std::string::npos) << r.out;
  }
  expect_same_data(dir / "t1.h5", dir / "t2.h5");
}

TEST(SweepCli, RefusesToOverwriteWithoutForce) {
  const TempDir dir;
  write_text(dir / "s.yaml", long_sweep(2));
  ASSERT_EQ(run_migrasim({"sweep", "s.yaml", "-o", "o.h5", "--threads", "1", "--quiet"}, dir.path())
                .exit_code,
            0);
  const Result again =
      run_migrasim({"sweep", "s.yaml", "-o", "o.h5", "--threads", "1"}, dir.path());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(run_migrasim({"sweep", "s.yaml", "-o", "o.h5", "--threads", "1", "--force", "--quiet"},
                         dir.path())
                .exit_code,
            0);
}

// Starts a sweep in the background, signals it `delay` after `ready` first
// holds, and returns its exit code (128 + signal for a signal death).
int signal_sweep(const fs::path& dir, const std::vector<std::string>& args, int signal_number,
                 std::chrono::milliseconds delay, const std::function<bool()>& ready) {
  const pid_t child = fork();
  if (child == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    const std::string err = (dir / ".stderr").string();
    freopen(err.c_str(), "w", stderr);
    freopen("/dev/null", "w", stdout);
    std::vector<char*> argv{const_cast<char*>(kBinary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ready() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(delay);
  kill(child, signal_number);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class SweepCliStopped : public ::testing::TestWithParam<int> {};

// Whatever stops it, a resumed sweep gives the same data as one run straight through.
TEST_P(SweepCliStopped, ResumeEqualsStraightThrough) {
  const int signal_number = GetParam();
  const TempDir dir;
  write_text(dir / "s.yaml", long_sweep(160));  // about 1 s straight through
  ASSERT_EQ(run_migrasim({"sweep", "s.yaml", "-o", "straight.h5", "--threads", "1", "--quiet"},
                         dir.path())
                .exit_code,
            0);

  const fs::path partial = dir / "stopped.h5.partial";
  const int code = signal_sweep(
      dir.path(), {"sweep", "s.yaml", "-o", "stopped.h5", "--threads", "1"}, signal_number,
      std::chrono::milliseconds(500), [&] { return fs::exists(partial); });
  EXPECT_EQ(code, 128 + signal_number) << read_text(dir / ".stderr");
  EXPECT_FALSE(fs::exists(dir / "stopped.h5")) << "nothing under the final name";
  ASSERT_TRUE(fs::exists(partial)) << read_text(dir / ".stderr");
  if (signal_number != SIGKILL) {
    EXPECT_NE(read_text(dir / ".stderr").find("--resume"), std::string::npos)
        << read_text(dir / ".stderr");
  }

  const Result resumed = run_migrasim(
      {"sweep", "s.yaml", "-o", "stopped.h5", "--threads", "1", "--resume"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("already done"), std::string::npos)
      << "the sweep was stopped too late to test resuming: " << resumed.out;
  EXPECT_FALSE(fs::exists(partial));
  expect_same_data(dir / "straight.h5", dir / "stopped.h5");
}

INSTANTIATE_TEST_SUITE_P(Signals, SweepCliStopped, ::testing::Values(SIGINT, SIGTERM, SIGKILL),
                         [](const auto& param_info) {
                           return std::string(sigabbrev_np(param_info.param));
                         });

#ifdef MIGRASIM_MPIEXEC
// Two ranks, one and two threads each, give the file one process gives.
TEST(SweepCliMpi, SameBitsForOneAndTwoRanks) {
  const TempDir dir;
  write_text(dir / "s.yaml", long_sweep(12));
  ASSERT_EQ(
      run_migrasim({"sweep", "s.yaml", "-o", "serial.h5", "--threads", "1", "--quiet"}, dir.path())
          .exit_code,
      0);
  // As root in containers, and with more ranks than cores.
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  for (const char* threads : {"1", "2"}) {
    const std::string out = std::string("mpi") + threads + ".h5";
    const Result r = run_command(
        MIGRASIM_MPIEXEC,
        {"-np", "2", kBinary.string(), "sweep", "s.yaml", "-o", out, "--threads", threads},
        dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("ran 12 in"), std::string::npos) << r.out;
    expect_same_data(dir / "serial.h5", dir / out);
  }
  // A bad sweep file: every rank stops with exit 2 and one message.
  write_text(dir / "bad.yaml", long_sweep(12) + "typo: 1\n");
  const Result bad =
      run_command(MIGRASIM_MPIEXEC,
                  {"-np", "2", kBinary.string(), "sweep", "bad.yaml", "-o", "b.h5"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  const auto first = bad.err.find("typo: unknown key");
  ASSERT_NE(first, std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("typo: unknown key", first + 1), std::string::npos)
      << "reported once: " << bad.err;
}
#endif

}  // namespace
