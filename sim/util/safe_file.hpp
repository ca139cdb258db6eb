// Opening input files and placing output files without being turned against
// the machine: what a careless or hostile path (a FIFO, a device, a symbolic
// link planted where a temporary will be) must not make migrasim do.
//
//  - Inputs are read only from regular files. A FIFO or a terminal would block
//    forever, a device may never end or may act on being opened; a directory
//    has no text. The file is opened without blocking and checked with fstat
//    before a byte is read, so the check and the read concern the same file.
//  - An output replaces only a regular file, or nothing: never a device, a
//    FIFO, a directory or a symbolic link, with or without --force.
//  - A temporary is created with O_EXCL under a random name in the target's
//    directory, which never follows a link left there (POSIX: O_CREAT|O_EXCL
//    fails on any existing name, a dangling link included), and is cut so that
//    the name stays within NAME_MAX however long the target's name is.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace migrasim {

// "a FIFO", "a character device", "a directory", "a symbolic link", ...
std::string describe_file_type(mode_t mode);

// Reads the regular file at `path`, at most `max_bytes` + 1 bytes (enough to
// tell that it is too large). Throws InputError "`path`: cannot open the
// `what`: reason" or "... is a FIFO, not a regular file"; `referrer`, when not
// empty, replaces `path` as the place named at the start of the message.
std::string read_regular_file(const std::string& path, std::size_t max_bytes, const char* what,
                              const std::string& referrer = "");

// Refuses (OutputError) to let an output replace what is at `path` unless it is
// absent or a regular file. Says nothing about whether it may be overwritten.
void check_replaceable(const std::filesystem::path& path, const char* what);

// The (device, inode) of what `path` names after links, if it exists.
std::optional<std::pair<dev_t, ino_t>> file_identity(const std::filesystem::path& path);

// Whether `a` and `b` name the same existing file (links and hard links included).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// A fresh name for a temporary beside `target`: `NAME.tmp-XXXXXXXXXXXX` with
// 12 random letters and digits, NAME cut so the whole stays within NAME_MAX.
std::filesystem::path temporary_name_beside(const std::filesystem::path& target);

// Renames `from` to `to`; unless `replace`, fails with EEXIST rather than
// replace anything at `to`, atomically where the file system allows
// (renameat2 RENAME_NOREPLACE). Returns 0 or an errno value.
int rename_file(const std::filesystem::path& from, const std::filesystem::path& to, bool replace);

// The bytes free to an unprivileged user on the file system holding `directory`;
// nullopt when unknown.
std::optional<std::uint64_t> free_disk_bytes(const std::filesystem::path& directory);

}  // namespace migrasim
