#include "util/safe_file.hpp"

#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <random>
#include <system_error>

#include "util/errors.hpp"
#include "util/quoting.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

std::string errno_message(int err) { return std::generic_category().message(err); }

// Closes a descriptor when it goes out of scope.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string describe_file_type(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes, const char* what,
                              const std::string& referrer) {
  const std::string place = referrer.empty() ? excerpt(path, PATH_MAX) : referrer;
  const std::string named = quote(path, PATH_MAX);
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) {
    throw InputError(place + ": cannot open the " + what + " " + named + ": " +
                     errno_message(errno));
  }
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) {
    throw InputError(place + ": cannot read the " + what + " " + named + ": " +
                     errno_message(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError(place + ": the " + std::string(what) + " " + named + " is " +
                     describe_file_type(info.st_mode) + ", not a regular file");
  }
  // A regular file never blocks; reads after this behave as usual.
  ::fcntl(file.fd, F_SETFL, ::fcntl(file.fd, F_GETFL) & ~O_NONBLOCK);
  std::string text;
  char buffer[1 << 16];
  while (text.size() <= max_bytes) {
    const ssize_t got = ::read(file.fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError(place + ": cannot read the " + what + " " + named + ": " +
                       errno_message(errno));
    }
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

void check_replaceable(const fs::path& path, const char* what) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return;  // absent (or unreachable: creating it will say)
  if (S_ISREG(info.st_mode)) return;
  throw OutputError(std::string(what) + " " + quote(path.string(), PATH_MAX) + " is " +
                    describe_file_type(info.st_mode) +
                    "; only a regular file may be replaced, even with --force");
}

std::optional<std::pair<dev_t, ino_t>> file_identity(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return std::make_pair(info.st_dev, info.st_ino);
}

bool same_file(const fs::path& a, const fs::path& b) {
  const auto x = file_identity(a);
  return x && x == file_identity(b);
}

fs::path temporary_name_beside(const fs::path& target) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static constexpr std::size_t kRandomChars = 12;
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string suffix = ".tmp-";
  for (std::size_t i = 0; i < kRandomChars; ++i) suffix += kAlphabet[pick(generator)];
  std::string name = target.filename().string();
  if (name.size() + suffix.size() > NAME_MAX) name.resize(NAME_MAX - suffix.size());
  fs::path temporary = target;
  temporary.replace_filename(name + suffix);
  return temporary;
}

int rename_file(const fs::path& from, const fs::path& to, bool replace) {
  if (replace) return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  // A file system without RENAME_NOREPLACE: a hard link fails on an existing
  // name just as atomically; the temporary's own name is then removed.
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
}

std::optional<std::uint64_t> free_disk_bytes(const fs::path& directory) {
  struct statvfs info {};
  if (::statvfs(directory.c_str(), &info) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

}  // namespace migrasim
