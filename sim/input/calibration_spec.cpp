#include "input/calibration_spec.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>

#include "input/yaml_input.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the calibration file");
  std::string text = read_document_text(in);
  if (in.bad()) throw InputError(path + ": cannot read the calibration file");
  return text;
}

void read_range(const YamlField& field, double& lower, double& upper) {
  const auto bounds = field.items();
  if (bounds.size() != 2)
    field.fail("expected [low, high], got " + std::to_string(bounds.size()) + " values");
  lower = bounds[0].number();
  upper = bounds[1].number();
  if (!(lower < upper)) field.fail("low must be below high");
}

// The prior's keys sit beside `prior:` in the parameter's entry.
PriorSpec read_prior(const YamlMap& entry) {
  PriorSpec prior;
  const YamlField kind = entry.required("prior");
  const std::string text = kind.string();
  const auto range = [&](bool required) {
    if (required) {
      read_range(entry.required("range"), prior.lower, prior.upper);
    } else if (auto f = entry.optional("range")) {
      read_range(*f, prior.lower, prior.upper);
    }
  };
  if (text == "uniform") {
    prior.kind = PriorKind::kUniform;
    range(true);
  } else if (text == "log_uniform") {
    prior.kind = PriorKind::kLogUniform;
    range(true);
    if (!(prior.lower > 0.0)) entry.required("range").fail("a log_uniform range must be positive");
  } else if (text == "normal" || text == "truncated_normal") {
    prior.kind = text == "normal" ? PriorKind::kNormal : PriorKind::kTruncatedNormal;
    prior.mean = entry.required("mean").number();
    prior.sd = entry.required("sd").number_at_least(0.0);
    if (!(prior.sd > 0.0)) entry.required("sd").fail("the sd must be positive");
    prior.lower = -kInfinity;
    prior.upper = kInfinity;
    if (prior.kind == PriorKind::kTruncatedNormal) {
      range(true);
      // Rejection sampling draws from the prior; a window far in a tail would
      // take forever and says the prior is not what was meant.
      const double lo = (prior.lower - prior.mean) / prior.sd;
      const double hi = (prior.upper - prior.mean) / prior.sd;
      const double mass = 0.5 * (std::erfc(-hi / std::sqrt(2.0)) - std::erfc(-lo / std::sqrt(2.0)));
      if (!(mass >= 1e-3)) {
        entry.required("range").fail("the range holds less than 0.1% of the normal's mass");
      }
    }
  } else if (text == "beta") {
    prior.kind = PriorKind::kBeta;
    prior.alpha = entry.required("alpha").number_at_least(0.0);
    prior.beta = entry.required("beta").number_at_least(0.0);
    if (!(prior.alpha > 0.0)) entry.required("alpha").fail("alpha must be positive");
    if (!(prior.beta > 0.0)) entry.required("beta").fail("beta must be positive");
    prior.lower = 0.0;
    prior.upper = 1.0;
    range(false);  // a beta scaled onto [low, high]
  } else {
    kind.fail("unknown prior '" + text +
              "'; expected uniform, log_uniform, normal, truncated_normal or beta");
  }
  return prior;
}

CalibrationParameter read_parameter(const YamlField& field) {
  const YamlMap entry(field);
  CalibrationParameter p;
  p.location = field.location();
  p.name = entry.required("name").name();
  const YamlField key = entry.required("key");
  p.key_path = key.string();
  if (p.key_path.find('=') != std::string::npos || p.key_path.find(' ') != std::string::npos) {
    key.fail("'" + p.key_path +
             "' is not a key path; write it as for --set, e.g. decisions.base_rate_per_day");
  }
  p.units = entry.string_or("units", "1");
  p.prior = read_prior(entry);
  entry.finish();
  return p;
}

Date first_of_month(int year, int month, const YamlField& where) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-01", year, month);
  const auto date = parse_date(text);
  if (!date) where.fail("not a valid month");
  return *date;
}

// A window as a calendar year, a fiscal year, a month or explicit dates.
void read_window(const YamlField& field, CalibrationTarget& t) {
  t.window_location = field.location() + ": " + field.path();
  const YamlMap window(field);
  const auto year_of = [](const YamlField& f) { return static_cast<int>(f.integer_in(1, 9998)); };
  const int forms =
      window.has("year") + window.has("fiscal_year") + window.has("month") + window.has("from");
  if (forms != 1) {
    field.fail(
        "give exactly one of year: YYYY, fiscal_year: YYYY (with first_month), month: YYYY-MM, or "
        "from: DATE with to: DATE");
  }
  if (auto calendar = window.optional("year")) {
    const int year = year_of(*calendar);
    t.window_start = first_of_month(year, 1, *calendar);
    t.window_end = Date{first_of_month(year + 1, 1, *calendar).days_since_epoch - 1};
    t.window_label = std::to_string(year);
  } else if (auto fiscal = window.optional("fiscal_year")) {
    // A fiscal year is named by the calendar year in which it ends (US FY2023
    // runs 2022-10-01 to 2023-09-30), unless it starts in January.
    const int year = year_of(*fiscal);
    int first_month = 10;
    if (auto m = window.optional("first_month"))
      first_month = static_cast<int>(m->integer_in(1, 12));
    const int start_year = first_month == 1 ? year : year - 1;
    t.window_start = first_of_month(start_year, first_month, *fiscal);
    t.window_end = Date{first_of_month(start_year + 1, first_month, *fiscal).days_since_epoch - 1};
    t.window_label = "FY" + std::to_string(year);
  } else if (auto month_field = window.optional("month")) {
    const std::string text = month_field->string();
    int year = 0, month = 0;
    char tail = 0;
    if (text.size() != 7 || std::sscanf(text.c_str(), "%4d-%2d%c", &year, &month, &tail) != 2 ||
        month < 1 || month > 12) {
      month_field->fail("expected a month as YYYY-MM, got '" + text + "'");
    }
    t.window_start = first_of_month(year, month, *month_field);
    t.window_end = Date{first_of_month(month == 12 ? year + 1 : year, month % 12 + 1, *month_field)
                            .days_since_epoch -
                        1};
    t.window_label = text;
  } else {
    t.window_start = window.required("from").date();
    t.window_end = window.required("to").date();
    if (t.window_end < t.window_start)
      window.required("to").fail("the window ends before it starts");
    t.window_label = to_string(t.window_start) + ".." + to_string(t.window_end);
  }
  window.finish();
}

CalibrationTarget read_target(const YamlField& field) {
  const YamlMap entry(field);
  CalibrationTarget t;
  t.location = field.location();
  t.name = entry.required("name").name();
  const YamlField series = entry.required("series");
  t.series = series.name();
  t.series_location = series.location() + ": " + series.path();
  if (auto f = entry.optional("at")) t.at = read_place(*f);
  read_window(entry.required("window"), t);
  if (auto f = entry.optional("reduce")) {
    const std::string text = f->string();
    if (text == "sum") {
      t.reduction = Reduction::kSum;
    } else if (text == "mean") {
      t.reduction = Reduction::kMean;
    } else if (text == "last") {
      t.reduction = Reduction::kLast;
    } else if (text == "max") {
      t.reduction = Reduction::kMax;
    } else {
      f->fail("unknown reduction '" + text + "'; expected sum, mean, last or max");
    }
    t.reduction_given = true;
  }
  const YamlField observed = entry.required("observed");
  if (observed.is_map()) {
    const YamlMap range(observed);
    t.observed_low = range.required("low").number();
    t.observed_high = range.required("high").number();
    if (t.observed_high < t.observed_low) range.required("high").fail("high is below low");
    range.finish();
  } else {
    t.observed_low = t.observed_high = observed.number();
  }
  const YamlField error = entry.required("error");
  const YamlMap model(error);
  if (!model.has("sd") && !model.has("relative_sd"))
    error.fail(
        "give sd (in the series' units), relative_sd (a share of the observed value), or both");
  if (auto f = model.optional("sd")) t.absolute_sd = f->number_at_least(0.0);
  if (auto f = model.optional("relative_sd")) t.relative_sd = f->number_at_least(0.0);
  model.finish();
  if (!(t.error_sd() > 0.0)) {
    error.fail(
        "the measurement error is zero at the observed value; a distance scaled by it "
        "would be infinite");
  }
  entry.finish();
  return t;
}

}  // namespace

CalibrationSpec parse_calibration(const std::string& text, const std::string& file) {
  auto source = std::make_shared<YamlSource>();
  source->file = file;
  source->text = text;
  const YAML::Node root = load_yaml_document(*source);
  const YamlMap top(YamlField(root, "", source));

  CalibrationSpec s;
  s.file = file;
  s.text = text;
  s.name =
      top.has("name") ? top.required("name").name() : std::filesystem::path(file).stem().string();
  const YamlField scenario = top.required("scenario");
  s.scenario_location = scenario.location();
  s.scenario_path = path_beside(file, scenario.string());
  s.seed = static_cast<std::uint64_t>(top.required("seed").integer_in(0, std::int64_t{1} << 53));
  if (auto f = top.optional("replicates"))
    s.replicates = static_cast<std::uint32_t>(f->integer_in(1, 1000));
  if (auto f = top.optional("set")) {
    if (!f->is_map()) f->fail("expected a mapping of key paths to values");
    s.set_location = f->location();
    for (const auto& entry : YamlMap(*f).entries())
      s.fixed_overrides.push_back(entry.key + "=" + entry.value.override_text());
  }
  s.population = static_cast<std::uint32_t>(top.required("population").integer_in(2, 1000000));
  if (auto f = top.optional("quantile")) {
    s.quantile = f->number_in(0.0, 1.0);
    if (!(s.quantile > 0.0 && s.quantile < 1.0))
      f->fail("expected a quantile strictly between 0 and 1");
  }
  if (auto f = top.optional("kernel")) {
    const std::string text_value = f->string();
    if (text_value == "twice_covariance") {
      s.kernel = KernelKind::kTwiceCovariance;
    } else if (text_value == "optimal_local") {
      s.kernel = KernelKind::kOptimalLocal;
    } else {
      f->fail("unknown kernel '" + text_value + "'; expected twice_covariance or optimal_local");
    }
  }
  if (auto f = top.optional("distance")) {
    const std::string text_value = f->string();
    if (text_value == "euclidean") {
      s.distance = DistanceKind::kEuclidean;
    } else if (text_value == "chebyshev") {
      s.distance = DistanceKind::kChebyshev;
    } else {
      f->fail("unknown distance '" + text_value + "'; expected euclidean or chebyshev");
    }
  }
  {
    const YamlMap stop(top.required("stop"));
    if (auto f = stop.optional("max_generations"))
      s.stop.max_generations = static_cast<std::uint32_t>(f->integer_in(1, 1000));
    if (auto f = stop.optional("max_simulations"))
      s.stop.max_simulations = static_cast<std::uint64_t>(f->integer_in(1, std::int64_t{1} << 40));
    if (auto f = stop.optional("final_tolerance")) s.stop.final_tolerance = f->number_at_least(0.0);
    if (auto f = stop.optional("min_acceptance_rate")) {
      s.stop.min_acceptance_rate = f->number_in(0.0, 1.0);
      if (!(s.stop.min_acceptance_rate > 0.0)) {
        f->fail("must be above 0: it also bounds the simulations one particle may take");
      }
    }
    stop.finish();
  }

  std::set<std::string> names, keys;
  const auto claim = [&](const std::string& name, const YamlField& where) {
    static const std::set<std::string> reserved{
        "generation",      "particle",    "weight",   "distance", "tolerance",
        "acceptance_rate", "simulations", "attempts", "parent",   "effective_sample_size"};
    if (reserved.count(name))
      where.fail("'" + name + "' is a reserved name in the posterior file; choose another");
    if (!names.insert(name).second) where.fail("the name '" + name + "' is used twice");
  };
  for (const YamlField& item : top.required("parameters").items()) {
    s.parameters.push_back(read_parameter(item));
    claim(s.parameters.back().name, item);
    if (!keys.insert(s.parameters.back().key_path).second)
      item.fail("the key '" + s.parameters.back().key_path + "' has two priors");
  }
  for (const YamlField& item : top.required("targets").items()) {
    s.targets.push_back(read_target(item));
    claim(s.targets.back().name, item);
  }
  top.finish();
  return s;
}

CalibrationSpec load_calibration(const std::string& path) {
  return parse_calibration(read_text(path), path);
}

const char* to_string(PriorKind kind) {
  switch (kind) {
    case PriorKind::kUniform:
      return "uniform";
    case PriorKind::kLogUniform:
      return "log_uniform";
    case PriorKind::kNormal:
      return "normal";
    case PriorKind::kTruncatedNormal:
      return "truncated_normal";
    case PriorKind::kBeta:
      return "beta";
  }
  return "?";
}

const char* to_string(DistanceKind kind) {
  return kind == DistanceKind::kEuclidean ? "euclidean" : "chebyshev";
}

const char* to_string(KernelKind kind) {
  return kind == KernelKind::kTwiceCovariance ? "twice_covariance" : "optimal_local";
}

std::string describe(const PriorSpec& p) {
  char text[160];
  switch (p.kind) {
    case PriorKind::kUniform:
    case PriorKind::kLogUniform:
      std::snprintf(text, sizeof text, "%s [%g, %g]", to_string(p.kind), p.lower, p.upper);
      break;
    case PriorKind::kNormal:
      std::snprintf(text, sizeof text, "normal(mean %g, sd %g)", p.mean, p.sd);
      break;
    case PriorKind::kTruncatedNormal:
      std::snprintf(text, sizeof text, "truncated_normal(mean %g, sd %g) on [%g, %g]", p.mean, p.sd,
                    p.lower, p.upper);
      break;
    case PriorKind::kBeta:
      std::snprintf(text, sizeof text, "beta(%g, %g) on [%g, %g]", p.alpha, p.beta, p.lower,
                    p.upper);
      break;
  }
  return text;
}

}  // namespace migrasim
