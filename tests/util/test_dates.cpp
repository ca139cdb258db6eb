#include <gtest/gtest.h>

#include "util/dates.hpp"

namespace migrasim {
namespace {

TEST(Dates, ParsesAndPrintsCalendarDays) {
  EXPECT_EQ(parse_date("1970-01-01")->days_since_epoch, 0);
  EXPECT_EQ(parse_date("2021-01-01")->days_since_epoch, 18628);
  EXPECT_EQ(parse_date("2024-02-29")->days_since_epoch - parse_date("2024-02-28")->days_since_epoch,
            1);
  EXPECT_EQ(to_string(*parse_date("2023-09-30")), "2023-09-30");
  EXPECT_EQ(days_between(*parse_date("2021-01-01"), *parse_date("2025-12-31")), 1825);
}

TEST(Dates, RejectsAnythingButValidIsoDays) {
  for (const char* bad : {"2023-02-29", "2023-13-01", "2023-00-10", "2023-1-01", "23-01-01",
                          "2023/01/01", "2023-01-01T00:00", "", "yesterday", "2023-01-32"}) {
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace migrasim
