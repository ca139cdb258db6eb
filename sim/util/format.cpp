#include "util/format.hpp"

#include <cstdio>

namespace migrasim {

std::string format_duration(double seconds) {
  const auto total = static_cast<long>(seconds + 0.5);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                total % 60);
  return buffer;
}

}  // namespace migrasim
