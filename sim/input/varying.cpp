#include "input/varying.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "input/yaml_input.hpp"

namespace migrasim {
namespace {

std::string number_text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", x);
  return buffer;
}

// Reads 'YYYY-MM-DD: value' entries of `map`, skipping the keys in `other`.
void read_points(const YamlMap& map, const YamlField& field, double low, double high,
                 TimeSeriesSpec& series, std::string_view other) {
  for (const auto& [key, key_field, value] : map.entries()) {
    if (key == other) continue;
    const auto date = parse_date(key);
    if (!date) {
      key_field.fail("series keys must be dates as YYYY-MM-DD" +
                     (other.empty() ? std::string() : " (or '" + std::string(other) + "')") +
                     ", got '" + key + "'");
    }
    if (!series.dates.empty() && *date <= series.dates.back()) {
      key_field.fail("dates must be in increasing order; " + key + " comes after " +
                     to_string(series.dates.back()));
    }
    series.dates.push_back(*date);
    series.values.push_back(value.number_in(low, high));
  }
  if (series.dates.empty()) field.fail("a series needs at least one 'YYYY-MM-DD: value' entry");
}

}  // namespace

double VaryingSpec::highest() const {
  const double value = *std::max_element(series.values.begin(), series.values.end());
  if (monthly.empty()) return value;
  return value * *std::max_element(monthly.begin(), monthly.end());
}

double VaryingSpec::lowest() const {
  const double value = *std::min_element(series.values.begin(), series.values.end());
  if (monthly.empty()) return value;
  return value * *std::min_element(monthly.begin(), monthly.end());
}

TimeSeriesSpec read_series(const YamlField& field, double low, double high) {
  TimeSeriesSpec series;
  if (!field.is_map()) {
    series.dates.push_back(Date{0});
    series.values.push_back(field.number_in(low, high));
    return series;
  }
  read_points(YamlMap(field), field, low, high, series, "");
  return series;
}

VaryingSpec read_varying(const YamlField& field, double low, double high) {
  VaryingSpec varying;
  if (!field.is_map()) {
    varying.series.values.front() = field.number_in(low, high);
    return varying;
  }
  const YamlMap map(field);
  varying.series = TimeSeriesSpec{};
  std::optional<YamlField> seasonal = map.optional("seasonal");
  read_points(map, field, low, high, varying.series, "seasonal");
  if (seasonal) {
    const std::vector<YamlField> months = seasonal->items();
    if (months.size() != 12) {
      seasonal->fail("a seasonal profile has 12 monthly multipliers (January first), got " +
                     std::to_string(months.size()));
    }
    for (const YamlField& month : months) varying.monthly.push_back(month.number_in(0.0, 1e6));
    if (varying.highest() > high) {
      seasonal->fail("with this seasonal profile the value reaches " +
                     number_text(varying.highest()) + ", above the largest allowed, " +
                     number_text(high));
    }
  }
  return varying;
}

double interpolate(const TimeSeriesSpec& series, double day) {
  const auto& d = series.dates;
  const auto& v = series.values;
  if (day <= d.front().days_since_epoch) return v.front();
  if (day >= d.back().days_since_epoch) return v.back();
  const auto upper = std::upper_bound(
      d.begin(), d.end(), day, [](double x, Date date) { return x < date.days_since_epoch; });
  const std::size_t k = static_cast<std::size_t>(upper - d.begin());
  const double t0 = d[k - 1].days_since_epoch;
  const double t1 = d[k].days_since_epoch;
  return v[k - 1] + (v[k] - v[k - 1]) * ((day - t0) / (t1 - t0));
}

double value_on(const VaryingSpec& varying, double day) {
  const double value = interpolate(varying.series, day);
  if (varying.monthly.empty()) return value;
  const Date date{static_cast<std::int32_t>(std::floor(day))};
  return value * varying.monthly[month_of(date) - 1];
}

}  // namespace migrasim
