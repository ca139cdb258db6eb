#include "input/sweep_spec.hpp"

#include <cmath>
#include <filesystem>
#include <memory>
#include <set>

#include "input/yaml_input.hpp"
#include "util/errors.hpp"
#include "util/quoting.hpp"
#include "util/safe_file.hpp"

namespace migrasim {
namespace {

// Keeps the sweep file (output sizes, member counts) within what a cluster job
// can hold; a typo like `samples: 1e9` is caught here rather than by the OOM killer.
constexpr std::int64_t kMaxMembers = 10'000'000;

// Bounded, and only from a regular file: `migrasim sweep /dev/zero` must end and
// a FIFO must not block.
std::string read_sweep_text(const std::string& path) {
  return read_regular_file(path, kMaxDocumentBytes, "sweep file");
}

SweepDesign read_design(const YamlField& field) {
  const std::string text = field.string();
  if (text == "grid") return SweepDesign::kGrid;
  if (text == "latin_hypercube") return SweepDesign::kLatinHypercube;
  if (text == "sobol") return SweepDesign::kSobol;
  field.fail("unknown design " + quote(text) + "; expected grid, latin_hypercube or sobol");
}

SweepParameter read_parameter(const YamlField& field, SweepDesign design) {
  const YamlMap entry(field);
  SweepParameter p;
  p.location = field.location();
  p.name = entry.required("name").name();
  const YamlField key = entry.required("key");
  p.key_path = key.string();
  if (p.key_path.find('=') != std::string::npos || p.key_path.find(' ') != std::string::npos) {
    key.fail(quote(p.key_path) +
             " is not a key path; write it as for --set, e.g. decisions.base_rate");
  }
  p.units = entry.string_or("units", "1");
  if (auto f = entry.optional("integer")) p.integer = f->boolean();

  const auto values = entry.optional("values");
  const auto range = entry.optional("range");
  if (values && range) values->fail("give either `values` or `range`, not both");
  if (!values && !range) field.fail("needs `range: [low, high]` or, for a grid, `values: [...]`");
  if (values) {
    if (design != SweepDesign::kGrid) {
      values->fail(
          "a list of values needs design: grid; latin_hypercube and sobol sample a `range`");
    }
    p.distribution = Distribution::kValues;
    std::set<double> seen;
    for (const YamlField& v : values->items()) {
      const double x = v.number();
      if (!seen.insert(x).second) v.fail("the value " + v.node().Scalar() + " appears twice");
      p.values.push_back(x);
    }
    if (auto f = entry.optional("distribution")) f->fail("a list of values has no distribution");
    if (auto f = entry.optional("levels"))
      f->fail("a list of values has no levels; they are the list");
  } else {
    const auto bounds = range->items();
    if (bounds.size() != 2)
      range->fail("expected [low, high], got " + std::to_string(bounds.size()) + " values");
    p.lower = bounds[0].number();
    p.upper = bounds[1].number();
    if (!(p.lower < p.upper)) range->fail("low must be below high");
    const std::string distribution = entry.string_or("distribution", "uniform");
    if (distribution == "uniform") {
      p.distribution = Distribution::kUniform;
    } else if (distribution == "log_uniform") {
      p.distribution = Distribution::kLogUniform;
      if (!(p.lower > 0.0)) range->fail("a log_uniform range must be positive");
    } else {
      entry.required("distribution")
          .fail("unknown distribution " + quote(distribution) +
                "; expected uniform or log_uniform");
    }
    if (design == SweepDesign::kGrid) {
      p.levels = static_cast<int>(entry.required("levels").integer_in(2, 100000));
    } else if (auto f = entry.optional("levels")) {
      f->fail("levels apply to design: grid only");
    }
  }
  entry.finish();
  return p;
}

Reduction read_reduction(const YamlField& field) {
  const std::string text = field.string();
  if (text == "none") return Reduction::kPerStep;
  if (text == "sum") return Reduction::kSum;
  if (text == "mean") return Reduction::kMean;
  if (text == "last") return Reduction::kLast;
  if (text == "max") return Reduction::kMax;
  field.fail("unknown reduction " + quote(text) + "; expected none, sum, mean, last or max");
}

SweepOutput read_output(const YamlField& field) {
  const YamlMap entry(field);
  SweepOutput o;
  o.location = field.location();
  const YamlField series = entry.required("series");
  o.series = series.name();
  o.series_location = series.location() + ": " + series.path();
  if (auto f = entry.optional("at")) o.at = read_place(*f);
  o.name = entry.has("name") ? entry.required("name").name() : o.series;
  if (auto window = entry.optional("window")) {
    const auto bounds = window->items();
    if (bounds.size() != 2) window->fail("expected [first date, last date]");
    o.window_start = bounds[0].date();
    o.window_end = bounds[1].date();
    if (*o.window_end < *o.window_start) window->fail("the window ends before it starts");
  }
  if (auto f = entry.optional("reduce")) o.reduction = read_reduction(*f);
  entry.finish();
  return o;
}

}  // namespace

SweepSpec parse_sweep(const std::string& text, const std::string& file) {
  auto source = std::make_shared<YamlSource>();
  source->file = file;
  source->text = text;
  const YAML::Node root = load_yaml_document(*source);
  const YamlMap top(YamlField(root, "", source));

  SweepSpec s;
  s.file = file;
  s.text = text;
  s.name =
      top.has("name") ? top.required("name").name() : std::filesystem::path(file).stem().string();
  const YamlField scenario = top.required("scenario");
  s.scenario_location = scenario.location();
  s.scenario_path = path_beside(file, scenario.string());

  const YamlField design = top.required("design");
  s.design = read_design(design);
  if (s.design == SweepDesign::kGrid) {
    if (auto f = top.optional("samples"))
      f->fail("a grid has no samples; its size is the product of the levels");
  } else {
    s.samples = static_cast<std::uint32_t>(top.required("samples").integer_in(2, kMaxMembers));
  }
  if (auto f = top.optional("replicates"))
    s.replicates = static_cast<std::uint32_t>(f->integer_in(1, 100000));
  s.seed = static_cast<std::uint64_t>(top.required("seed").integer_in(0, std::int64_t{1} << 53));
  if (auto f = top.optional("seeds")) {
    const std::string text_value = f->string();
    if (text_value == "per_member") {
      s.seeds = MemberSeeds::kPerMember;
    } else if (text_value == "common") {
      s.seeds = MemberSeeds::kCommon;
    } else {
      f->fail("unknown seeding " + quote(text_value) + "; expected per_member or common");
    }
  }
  if (auto f = top.optional("set")) {
    if (!f->is_map()) f->fail("expected a mapping of key paths to values");
    s.set_location = f->location();
    for (const auto& entry : YamlMap(*f).entries()) {
      s.fixed_overrides.push_back(entry.key + "=" + entry.value.override_text());
    }
  }

  std::set<std::string> names;
  const auto claim = [&](const std::string& name, const YamlField& where) {
    static const std::set<std::string> reserved{"member",        "replicate",   "time",
                                                "member_status", "member_seed", "member_checksum"};
    if (reserved.count(name))
      where.fail(quote(name) + " is a reserved name in the sweep output; choose another");
    if (!names.insert(name).second) where.fail("the name " + quote(name) + " is used twice");
  };
  const YamlField parameters = top.required("parameters");
  std::set<std::string> keys;
  for (const YamlField& item : parameters.items()) {
    s.parameters.push_back(read_parameter(item, s.design));
    claim(s.parameters.back().name, item);
    if (!keys.insert(s.parameters.back().key_path).second)
      item.fail("the key " + quote(s.parameters.back().key_path) + " is swept twice");
  }
  if (s.design == SweepDesign::kSobol && s.parameters.size() > 1000) {
    parameters.fail("at most 1000 parameters for a Sobol design");
  }
  const YamlField outputs = top.required("outputs");
  bool unreduced_window_seen = false;
  std::optional<Date> unreduced_start, unreduced_end;
  for (const YamlField& item : outputs.items()) {
    s.outputs.push_back(read_output(item));
    const SweepOutput& o = s.outputs.back();
    claim(o.name, item);
    // Outputs kept step by step share the file's one time axis.
    if (o.reduction == Reduction::kPerStep) {
      if (unreduced_window_seen &&
          (o.window_start != unreduced_start || o.window_end != unreduced_end)) {
        item.fail(
            "outputs kept step by step (reduce: none) share one time axis, so they need the same "
            "window");
      }
      unreduced_window_seen = true;
      unreduced_start = o.window_start;
      unreduced_end = o.window_end;
    }
  }
  top.finish();

  // The design's size, checked before anything is allocated for it.
  std::int64_t members = 0;
  switch (s.design) {
    case SweepDesign::kGrid: {
      members = 1;
      for (const SweepParameter& p : s.parameters) {
        members *= p.distribution == Distribution::kValues
                       ? static_cast<std::int64_t>(p.values.size())
                       : p.levels;
        if (members > kMaxMembers)
          parameters.fail("the grid has more than " + std::to_string(kMaxMembers) + " members");
      }
      break;
    }
    case SweepDesign::kLatinHypercube:
      members = s.samples;
      break;
    case SweepDesign::kSobol:
      members =
          static_cast<std::int64_t>(s.samples) * static_cast<std::int64_t>(s.parameters.size() + 2);
      if (members > kMaxMembers) {
        top.required("samples").fail("samples x (parameters + 2) = " + std::to_string(members) +
                                     " members; at most " + std::to_string(kMaxMembers));
      }
      break;
  }
  return s;
}

SweepSpec load_sweep(const std::string& path) { return parse_sweep(read_sweep_text(path), path); }

const char* to_string(SweepDesign design) {
  switch (design) {
    case SweepDesign::kGrid:
      return "grid";
    case SweepDesign::kLatinHypercube:
      return "latin_hypercube";
    case SweepDesign::kSobol:
      return "sobol";
  }
  return "?";
}

const char* to_string(Distribution distribution) {
  switch (distribution) {
    case Distribution::kUniform:
      return "uniform";
    case Distribution::kLogUniform:
      return "log_uniform";
    case Distribution::kValues:
      return "values";
  }
  return "?";
}

const char* to_string(Reduction reduction) {
  switch (reduction) {
    case Reduction::kPerStep:
      return "none";
    case Reduction::kSum:
      return "sum";
    case Reduction::kMean:
      return "mean";
    case Reduction::kLast:
      return "last";
    case Reduction::kMax:
      return "max";
  }
  return "?";
}

}  // namespace migrasim
