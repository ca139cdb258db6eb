#include <gtest/gtest.h>
#include <linux/limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "util/errors.hpp"
#include "util/safe_file.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

class SafeFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "migrasim_safe_file_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string message_of(const fs::path& path) {
    try {
      read_regular_file(path.string(), 1 << 20, "scenario file");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(SafeFile, ReadsARegularFile) {
  std::ofstream(dir_ / "a.yaml") << "name: a\n";
  EXPECT_EQ(read_regular_file((dir_ / "a.yaml").string(), 100, "scenario file"), "name: a\n");
  // At most one byte past the limit: enough to tell it is too large.
  EXPECT_EQ(read_regular_file((dir_ / "a.yaml").string(), 3, "scenario file").size(), 8u);
}

TEST_F(SafeFile, RefusesAFifoAtOnceInsteadOfWaitingForAWriter) {
  const fs::path fifo = dir_ / "f.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = message_of(fifo);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(message.find("is a FIFO (named pipe), not a regular file"), std::string::npos)
      << message;
}

TEST_F(SafeFile, RefusesADirectoryAndADevice) {
  EXPECT_NE(message_of(dir_).find("is a directory, not a regular file"), std::string::npos);
  // A null device made here, not /dev/null (needs CAP_MKNOD, as the tests run as root).
  const fs::path null = dir_ / "mynull";
  if (mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "cannot mknod";
  EXPECT_NE(message_of(null).find("is a character device, not a regular file"), std::string::npos);
}

TEST_F(SafeFile, OnlyARegularFileOrNothingMayBeReplaced) {
  EXPECT_NO_THROW(check_replaceable(dir_ / "absent.h5", "output path"));
  std::ofstream(dir_ / "regular.h5") << "x";
  EXPECT_NO_THROW(check_replaceable(dir_ / "regular.h5", "output path"));
  fs::create_symlink(dir_ / "regular.h5", dir_ / "link.h5");
  EXPECT_THROW(check_replaceable(dir_ / "link.h5", "output path"), OutputError);
  ASSERT_EQ(mkfifo((dir_ / "fifo.h5").c_str(), 0600), 0);
  EXPECT_THROW(check_replaceable(dir_ / "fifo.h5", "output path"), OutputError);
  EXPECT_THROW(check_replaceable(dir_, "output path"), OutputError);
}

TEST_F(SafeFile, TemporaryNamesAreFreshAndFitNameMax) {
  std::set<fs::path> names;
  for (int i = 0; i < 100; ++i) names.insert(temporary_name_beside(dir_ / "out.h5"));
  EXPECT_EQ(names.size(), 100u);
  for (const fs::path& name : names) {
    EXPECT_EQ(name.parent_path(), dir_);
    EXPECT_EQ(name.filename().string().rfind("out.h5.tmp-", 0), 0u) << name;
  }
  const std::string longest(NAME_MAX, 'n');
  const fs::path cut = temporary_name_beside(dir_ / longest);
  EXPECT_EQ(cut.filename().string().size(), static_cast<std::size_t>(NAME_MAX));
  EXPECT_EQ(cut.filename().string().rfind(std::string(NAME_MAX - 17, 'n') + ".tmp-", 0), 0u);
}

TEST_F(SafeFile, RenameWithoutReplaceRefusesAnExistingName) {
  std::ofstream(dir_ / "a") << "a";
  std::ofstream(dir_ / "b") << "b";
  EXPECT_EQ(rename_file(dir_ / "a", dir_ / "b", false), EEXIST);
  EXPECT_EQ(rename_file(dir_ / "a", dir_ / "c", false), 0);
  EXPECT_EQ(rename_file(dir_ / "c", dir_ / "b", true), 0);
  std::ifstream in(dir_ / "b");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "a");
}

TEST_F(SafeFile, SameFileSeesThroughLinks) {
  std::ofstream(dir_ / "s.yaml") << "x";
  fs::create_symlink(dir_ / "s.yaml", dir_ / "alias.yaml");
  fs::create_hard_link(dir_ / "s.yaml", dir_ / "hard.yaml");
  EXPECT_TRUE(same_file(dir_ / "alias.yaml", dir_ / "s.yaml"));
  EXPECT_TRUE(same_file(dir_ / "hard.yaml", dir_ / "s.yaml"));
  EXPECT_FALSE(same_file(dir_ / "absent.yaml", dir_ / "s.yaml"));
}

}  // namespace
}  // namespace migrasim
