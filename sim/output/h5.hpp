// Minimal RAII over the HDF5 C API. The C++ API (H5Cpp) has no dimension-scale
// wrappers, so the output layer uses the C API directly through these handles.
#pragma once

#include <hdf5.h>

#include <string_view>
#include <utility>

namespace migrasim::h5 {

// Turns HDF5's automatic error-stack printing off for the calling thread. The
// serial Debian build is thread-safe, which makes that setting per thread, so
// every entry point calls this; only the first call on each thread does work.
void silence_errors();

// Return `id`/`status` unchanged if it is valid, otherwise throw OutputError
// with `what` followed by the innermost message on HDF5's error stack.
hid_t check(hid_t id, std::string_view what);
herr_t check(herr_t status, std::string_view what);

// Owns one HDF5 identifier and releases it with `Close`. Move-only.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

  // Releases the identifier and reports whether HDF5 could; for paths that
  // must know the data reached the file (commit), unlike the destructor.
  herr_t close() {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    return id >= 0 ? Close(id) : 0;
  }
  void reset() noexcept { static_cast<void>(close()); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using PropertyList = Handle<H5Pclose>;
using Attribute = Handle<H5Aclose>;
using Datatype = Handle<H5Tclose>;

// A variable-length UTF-8 string type, as netCDF-4 uses for NC_STRING.
Datatype vlen_utf8_string();

}  // namespace migrasim::h5
