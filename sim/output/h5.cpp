#include "output/h5.hpp"

#include <string>

#include "util/errors.hpp"

namespace migrasim::h5 {
namespace {

// HDF5's file driver describes a failed system call as "file write failed:
// time = ..., filename = ..., file descriptor = 3, errno = 27, error message =
// 'File too large', buf = 0x..., total write size = 88, ...", over two lines.
// What failed and the system's message are what a user can act on.
std::string readable(const std::string& description) {
  const std::string key = "error message = '";
  const std::size_t message = description.find(key);
  const std::size_t what_end = description.find(": time = ");
  if (message == std::string::npos || what_end == std::string::npos) return description;
  const std::size_t start = message + key.size();
  const std::size_t end = description.find('\'', start);
  if (end == std::string::npos) return description;
  return description.substr(0, what_end) + ": " + description.substr(start, end - start);
}

// The innermost record names the actual cause (e.g. "errno = 13, error
// message = 'Permission denied'"); the outer ones only repeat "unable to ...".
std::string innermost_error() {
  std::string message;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
        if (n == 0 && err->desc != nullptr) *static_cast<std::string*>(data) = err->desc;
        return 0;
      },
      &message);
  return readable(message);
}

[[noreturn]] void fail(std::string_view what) {
  std::string message(what);
  if (const std::string cause = innermost_error(); !cause.empty()) message += ": " + cause;
  throw OutputError(message);
}

}  // namespace

void silence_errors() {
  // A file whose last flush failed (a full disk, a file size limit) cannot be
  // closed: H5Fclose keeps failing, and HDF5 1.10's clean-up at exit, closing
  // it once more, crashes (a segfault in H5F__close_cb) after the error has
  // been reported. The system closes every file at exit anyway, so HDF5 is told
  // not to clean up; this only works before the library's first use.
  static const bool no_cleanup_at_exit = H5dont_atexit() >= 0;
  static_cast<void>(no_cleanup_at_exit);
  thread_local const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  static_cast<void>(silenced);
}

hid_t check(hid_t id, std::string_view what) {
  if (id < 0) fail(what);
  return id;
}

herr_t check(herr_t status, std::string_view what) {
  if (status < 0) fail(what);
  return status;
}

Datatype vlen_utf8_string() {
  Datatype type(check(H5Tcopy(H5T_C_S1), "copying the string type"));
  check(H5Tset_size(type.get(), H5T_VARIABLE), "making a variable-length string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "setting the UTF-8 character set");
  return type;
}

}  // namespace migrasim::h5
