// Interrupted and oversized runs, through the binary: a signal stops a run
// within a step and leaves nothing under the output name; a run that cannot
// fit in memory is refused before it starts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Child {
  pid_t pid = -1;
  fs::path err;
};

Child spawn(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> all = {MIGRASIM_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const fs::path err = dir / "stderr.txt";
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  Child child{-1, err};
  EXPECT_EQ(posix_spawn(&child.pid, all[0].c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return child;
}

int wait_for(const Child& child) {
  int status = 0;
  waitpid(child.pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != "stderr.txt") names.push_back(entry.path().filename().string());
  }
  return names;
}

class Signals : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("migrasim_signals_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A run long enough to be interrupted (tens of seconds if left alone).
  Child start_long_run() {
    return spawn({"run", MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml", "-o",
                  (dir_ / "out.h5").string(), "--quiet", "--threads", "1", "--replicates", "50"},
                 dir_);
  }
  // Waits until the temporary output exists, i.e. the run is under way.
  void wait_until_running() {
    for (int k = 0; k < 200 && files_in(dir_).empty(); ++k)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_FALSE(files_in(dir_).empty()) << "the run never started";
  }
  fs::path dir_;
};

TEST_F(Signals, SigtermStopsTheRunAndLeavesNoFile) {
  const Child child = start_long_run();
  wait_until_running();
  const auto sent = std::chrono::steady_clock::now();
  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_for(child), 143);
  EXPECT_LT(std::chrono::steady_clock::now() - sent, std::chrono::seconds(5));
  EXPECT_TRUE(files_in(dir_).empty());
  EXPECT_NE(slurp(child.err).find("stopped by signal 15 (SIGTERM); no output written"),
            std::string::npos);
}

TEST_F(Signals, SigintStopsTheRunAndLeavesNoFile) {
  const Child child = start_long_run();
  wait_until_running();
  kill(child.pid, SIGINT);
  EXPECT_EQ(wait_for(child), 130);
  EXPECT_TRUE(files_in(dir_).empty());
}

// A closed terminal or SSH session (SIGHUP) stops a run as SIGTERM does, and
// so does every other signal that would end the process and can be caught:
// none leaves the temporary behind.
TEST_F(Signals, HangupQuitAndUserSignalsStopTheRunAndLeaveNoFile) {
  for (const int signal : {SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM}) {
    const Child child = start_long_run();
    wait_until_running();
    kill(child.pid, signal);
    EXPECT_EQ(wait_for(child), 128 + signal) << signal;
    EXPECT_TRUE(files_in(dir_).empty()) << signal;
    EXPECT_NE(slurp(child.err).find("stopped by signal " + std::to_string(signal)),
              std::string::npos)
        << slurp(child.err);
  }
}

TEST_F(Signals, SigkillLeavesOnlyTheTemporaryNeverTheOutput) {
  const Child child = start_long_run();
  wait_until_running();
  kill(child.pid, SIGKILL);
  EXPECT_EQ(wait_for(child), 128 + SIGKILL);
  for (const auto& name : files_in(dir_)) {
    EXPECT_NE(name, "out.h5");
    EXPECT_EQ(name.rfind("out.h5.tmp-", 0), 0u) << name;
  }
}

TEST_F(Signals, RunsTooLargeForMemoryAreRefusedUpFront) {
  const Child child = spawn({"run", MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml", "-o",
                             (dir_ / "out.h5").string(), "--set", "population.agents=2000000000"},
                            dir_);
  EXPECT_EQ(wait_for(child), 2);
  const std::string err = slurp(child.err);
  EXPECT_NE(err.find("agents need about"), std::string::npos) << err;
  EXPECT_NE(err.find("MiB are available"), std::string::npos) << err;
  EXPECT_TRUE(files_in(dir_).empty());
}

TEST_F(Signals, ThreadsBeyondTheMachineAreCappedWithANote) {
  const Child child = spawn({"run", MIGRASIM_SOURCE_DIR "/tests/data/tiny.yaml", "-o",
                             (dir_ / "out.h5").string(), "--threads", "1000", "--quiet"},
                            dir_);
  EXPECT_EQ(wait_for(child), 0);
  EXPECT_NE(slurp(child.err).find("capped at the"), std::string::npos);
}

TEST_F(Signals, ThreadsFromTheEnvironmentAreCappedToo) {
  // OMP_NUM_THREADS=1000 without --threads made a tiny run 100 times slower.
  setenv("OMP_NUM_THREADS", "1000", 1);
  const Child child = spawn({"run", MIGRASIM_SOURCE_DIR "/tests/data/tiny.yaml", "-o",
                             (dir_ / "out.h5").string(), "--quiet"},
                            dir_);
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(wait_for(child), 0);
  EXPECT_NE(slurp(child.err).find("OMP_NUM_THREADS=1000 capped at the"), std::string::npos)
      << slurp(child.err);
}

}  // namespace
