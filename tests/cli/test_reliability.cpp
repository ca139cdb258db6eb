// Output under hostile conditions, through the binary (MIGRASIM_BINARY): a full
// disk, an output directory that does not exist, one that cannot be written.
// Every case must exit 1 with one clear line naming the output, and leave
// nothing behind: no file under the final name and no temporary beside it.
//
// A full disk is stood in for by a file size limit (RLIMIT_FSIZE, `ulimit -f`)
// with SIGXFSZ ignored: a write past the limit then fails with EFBIG, as a
// write to a full disk fails with ENOSPC, through the same paths of HDF5 and
// the output writer.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace migrasim::testing {
namespace {

const fs::path kTiny = kSourceDir / "tests" / "data" / "tiny.yaml";

std::vector<std::string> run_args(const fs::path& output) {
  return {"run", kTiny.string(), "-o", output.string(), "--quiet", "--threads", "1"};
}

// The run with its file size limited to `kib` KiB (bash counts `ulimit -f` in KiB).
Result run_with_file_size_limit(std::uintmax_t kib, const fs::path& output, const fs::path& dir) {
  std::vector<std::string> args = {
      "-c", "ulimit -f " + std::to_string(kib) + " && trap '' XFSZ && exec \"$0\" \"$@\"",
      kBinary.string()};
  const std::vector<std::string> run = run_args(output);
  args.insert(args.end(), run.begin(), run.end());
  return run_command("/bin/bash", args, dir);
}

// One line, starting as every migrasim error does.
void expect_one_clear_line(const std::string& err) {
  EXPECT_TRUE(err.starts_with("migrasim: error: ")) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  // HDF5's raw description of a failed write (time, descriptor, buffer address).
  EXPECT_EQ(err.find("buf = "), std::string::npos) << err;
  EXPECT_EQ(err.find("time = "), std::string::npos) << err;
}

TEST(Reliability, FullDiskFailsWithOneClearLineAndLeavesNothing) {
  const TempDir dir;
  const fs::path out_dir = dir / "out";
  fs::create_directory(out_dir);

  // Unlimited, the same run succeeds: a failure below is the limit's doing.
  const Result full = run_migrasim(run_args(out_dir / "full.h5"), dir.path());
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const std::uintmax_t full_kib = fs::file_size(out_dir / "full.h5") / 1024;
  fs::remove(out_dir / "full.h5");
  ASSERT_GT(full_kib, 64u) << "the tiny run's output is too small to cut short";

  // Cut short while the layout is written, and halfway through the data.
  for (const std::uintmax_t kib : {std::uintmax_t{16}, full_kib / 2}) {
    SCOPED_TRACE("file size limit " + std::to_string(kib) + " KiB");
    const Result r = run_with_file_size_limit(kib, out_dir / "out.h5", dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    expect_one_clear_line(r.err);
    EXPECT_NE(r.err.find("out.h5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
    EXPECT_EQ(directory_listing(out_dir), std::vector<std::string>{});
  }
}

TEST(Reliability, MissingOutputDirectoryFailsWithOneClearLine) {
  const TempDir dir;
  const Result r = run_migrasim(run_args("missing/deeper/out.h5"), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_one_clear_line(r.err);
  EXPECT_NE(r.err.find("output directory 'missing/deeper' does not exist"), std::string::npos)
      << r.err;
  // Not created on the way, and nothing else either.
  EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{});
}

TEST(Reliability, UnwritableOutputDirectoryFailsWithOneClearLine) {
  const TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  chmod(locked.c_str(), 0555);
  // Permission bits do not stop root (tests often run as root in containers);
  // procfs refuses new files to everyone, root included.
  const bool bits_hold = access(locked.c_str(), W_OK) != 0;
  const fs::path out_dir = bits_hold ? locked : fs::path("/proc/self");
  const Result r = run_migrasim(run_args(out_dir / "out.h5"), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_one_clear_line(r.err);
  EXPECT_NE(r.err.find("output directory '" + out_dir.string() + "' is not writable"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out_dir / "out.h5"));
  EXPECT_EQ(directory_listing(locked), std::vector<std::string>{});
}

}  // namespace
}  // namespace migrasim::testing
