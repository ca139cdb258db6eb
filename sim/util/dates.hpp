// Calendar dates as whole days since 1970-01-01 (proleptic Gregorian), which is
// all the model needs: scenario dates, step times and the CF time axis.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace migrasim {

struct Date {
  std::int32_t days_since_epoch = 0;
  auto operator<=>(const Date&) const = default;
};

// Parses exactly "YYYY-MM-DD" with a valid calendar day; nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);
std::string to_string(Date date);
// Month of the year, 1-12.
unsigned month_of(Date date);

inline std::int32_t days_between(Date from, Date to) {
  return to.days_since_epoch - from.days_since_epoch;
}

}  // namespace migrasim
