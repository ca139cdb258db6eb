// What the machine offers, read from the operating system.
#pragma once

#include <cstdint>

namespace migrasim {

// MemAvailable from /proc/meminfo, in bytes; 0 when unknown.
std::uint64_t available_memory_bytes();

}  // namespace migrasim
