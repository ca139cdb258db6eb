// Text for people: durations on progress lines.
#pragma once

#include <string>

namespace migrasim {

// "H:MM:SS".
std::string format_duration(double seconds);

}  // namespace migrasim
