// Paths a careless or hostile user may hand migrasim, through the binary
// (MIGRASIM_BINARY): devices, FIFOs and links as outputs or inputs, links
// planted where temporaries go, outputs that name an input, files that are
// not scenarios. Every device, FIFO and link is made in a temporary directory
// (devices with mknod, as the tests run as root; the case is skipped where
// that is not allowed), never in /dev.
#include <gtest/gtest.h>
#include <linux/limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace migrasim::testing {
namespace {

const fs::path kTiny = kSourceDir / "tests" / "data" / "tiny.yaml";
const fs::path kNotAScenario = kSourceDir / "tests" / "data" / "not_a_scenario.txt";

// The command under `timeout`, so that a regression to blocking fails the
// test (exit 124) instead of hanging the suite.
Result run_bounded(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> all = {"10", kBinary.string()};
  all.insert(all.end(), args.begin(), args.end());
  return run_command("/usr/bin/timeout", all, dir);
}

bool make_device(const fs::path& path, unsigned major, unsigned minor) {
  return mknod(path.c_str(), S_IFCHR | 0666, makedev(major, minor)) == 0;
}

mode_t type_of(const fs::path& path) {
  struct stat info {};
  lstat(path.c_str(), &info);
  return info.st_mode & S_IFMT;
}

const std::string kSweep = R"(name: small
scenario: tiny.yaml
design: grid
seed: 1
parameters:
  - {name: rate, key: decisions.base_rate_per_day, range: [1.0e-4, 4.0e-4], levels: 2}
outputs:
  - {name: departures, series: departures, reduce: sum}
)";

TEST(Reliability, ForceNeverReplacesADeviceOrAFifo) {
  const TempDir dir;
  if (!make_device(dir / "mynull", 1, 3)) GTEST_SKIP() << "mknod is not allowed here";
  ASSERT_EQ(mkfifo((dir / "myfifo").c_str(), 0600), 0);
  fs::copy_file(kTiny, dir / "tiny.yaml");
  write_text(dir / "s.yaml", kSweep);
  for (const char* target : {"mynull", "myfifo"}) {
    const Result run =
        run_bounded({"run", "tiny.yaml", "-o", target, "--force", "--quiet"}, dir.path());
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("only a regular file may be replaced"), std::string::npos) << run.err;
    const Result sweep = run_bounded({"sweep", "s.yaml", "-o", target, "--force"}, dir.path());
    EXPECT_EQ(sweep.exit_code, 1) << sweep.err;
  }
  EXPECT_EQ(type_of(dir / "mynull"), static_cast<mode_t>(S_IFCHR));
  EXPECT_EQ(type_of(dir / "myfifo"), static_cast<mode_t>(S_IFIFO));
  // Nothing else was left: no temporary, no partial file.
  EXPECT_EQ(directory_listing(dir.path()),
            (std::vector<std::string>{"myfifo", "mynull", "s.yaml", "tiny.yaml"}));
}

TEST(Reliability, ForceDoesNotReplaceALinkNorWriteThroughIt) {
  const TempDir dir;
  write_text(dir / "victim.txt", "precious");
  fs::create_symlink("victim.txt", dir / "out.h5");
  const Result r =
      run_migrasim({"run", kTiny.string(), "-o", "out.h5", "--force", "--quiet"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("is a symbolic link"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(dir / "victim.txt"), "precious");
  EXPECT_TRUE(fs::is_symlink(dir / "out.h5"));
}

TEST(Reliability, AnOutputThatNamesAnInputIsRefused) {
  const TempDir dir;
  fs::copy_file(kTiny, dir / "s.yaml");
  write_text(dir / "child.yaml", "extends: s.yaml\nname: child\n");
  fs::create_symlink("s.yaml", dir / "alias.h5");
  const std::string original = read_text(dir / "s.yaml");
  for (const char* output : {"s.yaml", "./s.yaml", "alias.h5"}) {
    const Result r =
        run_migrasim({"run", "s.yaml", "-o", output, "--force", "--quiet"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << output << ": " << r.err;
    EXPECT_NE(r.err.find("the output would replace the input file"), std::string::npos) << r.err;
  }
  // A file the scenario extends is an input too.
  const Result extended =
      run_migrasim({"run", "child.yaml", "-o", "s.yaml", "--force", "--quiet"}, dir.path());
  EXPECT_EQ(extended.exit_code, 2) << extended.err;
  EXPECT_EQ(read_text(dir / "s.yaml"), original);
}

TEST(Reliability, LinksPlantedAtTemporaryNamesAreNeverWrittenThrough) {
  const TempDir dir;
  fs::copy_file(kTiny, dir / "tiny.yaml");
  write_text(dir / "s.yaml", kSweep);
  write_text(dir / "victim.txt", "precious");
  // Where migrasim used to put its temporaries: OUT.tmp.<pid> and OUT.partial.
  for (int pid = 1; pid < 300; ++pid)
    fs::create_symlink("victim.txt", dir / ("out.h5.tmp." + std::to_string(pid)));
  fs::create_symlink("victim.txt", dir / "sw.h5.partial");

  const Result run =
      run_migrasim({"run", "tiny.yaml", "-o", "out.h5", "--quiet", "--threads", "1"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "out.h5")));
  const Result sweep =
      run_migrasim({"sweep", "s.yaml", "-o", "sw.h5", "--force", "--threads", "1"}, dir.path());
  EXPECT_EQ(sweep.exit_code, 1) << sweep.err;
  EXPECT_NE(sweep.err.find("is a symbolic link"), std::string::npos) << sweep.err;
  const Result resume =
      run_migrasim({"sweep", "s.yaml", "-o", "sw.h5", "--resume", "--threads", "1"}, dir.path());
  EXPECT_EQ(resume.exit_code, 1) << resume.err;
  EXPECT_EQ(read_text(dir / "victim.txt"), "precious");
  EXPECT_FALSE(fs::exists(dir / "sw.h5"));
}

TEST(Reliability, FifosAndDirectoriesAsInputsAreRefusedAtOnce) {
  const TempDir dir;
  ASSERT_EQ(mkfifo((dir / "f.yaml").c_str(), 0600), 0);
  write_text(dir / "child.yaml", "extends: f.yaml\nname: child\n");
  write_text(dir / "s.yaml", "name: s\nscenario: f.yaml\n" + kSweep.substr(kSweep.find("design")));
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<std::string>> commands = {
      {"validate", "f.yaml"},
      {"validate", "child.yaml"},
      {"run", "f.yaml", "-o", "out.h5"},
      {"sweep", "f.yaml", "-o", "out.h5"},
      {"sweep", "s.yaml", "-o", "out.h5"},
      {"bench", "--scenario", "f.yaml", "--agents", "1000", "--steps", "2"},
      {"validate", "."},
  };
  for (const auto& command : commands) {
    const Result r = run_bounded(command, dir.path());
    EXPECT_EQ(r.exit_code, 2) << command[0] << " " << command[1] << ": " << r.err;
    EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.err;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(Reliability, ErrorsNeverQuoteMoreThanTheStartOfAFile) {
  const TempDir dir;
  fs::copy_file(kNotAScenario, dir / "secret.txt");
  write_text(dir / "s.yaml", "extends: secret.txt\nname: s\n");
  write_text(dir / "sw.yaml",
             "name: s\nscenario: secret.txt\n" + kSweep.substr(kSweep.find("design")));
  const std::vector<std::vector<std::string>> commands = {
      {"validate", "s.yaml"},
      {"validate", "secret.txt"},
      {"sweep", "sw.yaml", "-o", "out.h5"},
      {"bench", "--scenario", "secret.txt", "--agents", "1000", "--steps", "2"},
  };
  for (const auto& command : commands) {
    const Result r = run_migrasim(command, dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("got one value of 234 characters"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("This file"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("PRIVATE-PART"), std::string::npos) << r.err;
    EXPECT_LT(r.err.size(), 400u) << r.err;
  }
}

TEST(Reliability, AnUnwritableStandardOutputIsAFailure) {
  const TempDir dir;
  if (!make_device(dir / "myfull", 1, 7)) GTEST_SKIP() << "mknod is not allowed here";
  const Result r = run_command(
      "/bin/bash", {"-c", "exec \"$0\" validate \"$1\" > myfull", kBinary.string(), kTiny.string()},
      dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write to standard output: No space left on device"),
            std::string::npos)
      << r.err;
}

TEST(Reliability, AnOutputNameUpToNameMaxIsWritten) {
  const TempDir dir;
  for (const std::size_t length : {247, 255}) {
    const std::string name = std::string(length - 3, 'o') + ".h5";
    const Result r =
        run_migrasim({"run", kTiny.string(), "-o", name, "--quiet", "--threads", "1"}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::is_regular_file(dir / name));
    fs::remove(dir / name);
  }
  EXPECT_TRUE(directory_listing(dir.path()).empty());
  const Result too_long = run_migrasim(
      {"run", kTiny.string(), "-o", std::string(NAME_MAX + 1, 'o'), "--quiet"}, dir.path());
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_NE(too_long.err.find("the most a file name may have"), std::string::npos) << too_long.err;
}

TEST(Reliability, AFileOfCountlessValuesIsRefusedQuicklyAndCheaply) {
  // 16 MiB of `[1,1,...]` took 17 s and 5 GB before it was refused; the limit
  // is counted while parsing, before the tree is built. Run with its address
  // space capped at 1 GiB: the tree of this file alone would need more.
  const TempDir dir;
  std::string text = read_text(kTiny) + "interventions: [";
  for (int i = 0; i < 4'000'000; ++i) text += "1,";
  text += "1]\n";
  write_text(dir / "many.yaml", text);
  const auto start = std::chrono::steady_clock::now();
  const Result r = run_command(
      "/bin/bash", {"-c", "ulimit -v 1048576 && exec \"$0\" validate many.yaml", kBinary.string()},
      dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the document holds over 262144 values"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  // Under the value limit but over a tight memory limit: running out of memory
  // while reading input is bad input (exit 2 and a message), not std::bad_alloc.
  std::string under = read_text(kTiny) + "interventions: [";
  for (int i = 0; i < 250'000; ++i) under += "1,";
  write_text(dir / "under.yaml", under + "1]\n");
  const Result oom = run_command(
      "/bin/bash", {"-c", "ulimit -v 120000 && exec \"$0\" validate under.yaml", kBinary.string()},
      dir.path());
  EXPECT_EQ(oom.exit_code, 2) << oom.err;
  EXPECT_EQ(oom.err.find("bad_alloc"), std::string::npos) << oom.err;
}

}  // namespace
}  // namespace migrasim::testing
