#include "h5.hpp"

#include <string>

#include "errors.hpp"

namespace migrasim::h5 {
namespace {

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
  return message;
}

[[noreturn]] void fail(std::string_view what) {
  std::string message(what);
  if (const std::string cause = innermost_error(); !cause.empty()) message += ": " + cause;
  throw OutputError(message);
}

}  // namespace

void silence_errors() {
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
