// The layout of a sweep's output file: dimensions member, replicate and (for
// outputs kept step by step) time; one variable per swept parameter holding
// its value per member; one per kept output; member_status and member_seed;
// the sweep file and scenario at the root. See docs/sweeps.md.
#include <cmath>
#include <string>
#include <string_view>

#include "model/series.hpp"
#include "sweep/sweep.hpp"
#include "util/errors.hpp"
#include "util/version.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

std::string joined_names(const SweepSpec& spec, bool parameters) {
  std::string names;
  const auto add = [&](const std::string& name) { names += (names.empty() ? "" : " ") + name; };
  if (parameters) {
    for (const SweepParameter& p : spec.parameters) add(p.name);
  } else {
    for (const SweepOutput& o : spec.outputs) add(o.name);
  }
  return names;
}

Variable parameter_variable(const SweepParameter& p) {
  Variable v{p.name, "swept parameter " + p.key_path, p.units, {"member"}, {}};
  v.attributes.push_back({"key_path", p.key_path});
  v.attributes.push_back({"distribution", std::string(to_string(p.distribution))});
  if (p.distribution != Distribution::kValues) {
    v.attributes.push_back({"lower", p.lower});
    v.attributes.push_back({"upper", p.upper});
  }
  if (p.integer) v.attributes.push_back({"rounded_to_integer", std::string("true")});
  return v;
}

Variable output_variable(const SweepOutput& o, const Model& reference) {
  const SeriesInfo& info = series_info(*find_series(o.series));
  const std::string first = to_string(o.window_start.value_or(reference.start_date));
  const std::string last = o.window_end ? to_string(*o.window_end) : "end of run";
  Variable v{o.name, info.long_name, info.units, {"member", "replicate"}, {}};
  if (o.reduction == Reduction::kPerStep) {
    v.dims.push_back("time");
    v.attributes.push_back({"cell_methods", std::string(info.cell_methods())});
  } else {
    v.long_name += std::string(", ") + to_string(o.reduction) + " over steps starting " + first +
                   " to " + last;
    // A sum of a per-step flow is an amount: "persons per step" -> "persons".
    constexpr std::string_view kPerStep = " per step";
    if (o.reduction == Reduction::kSum && v.units.ends_with(kPerStep))
      v.units.resize(v.units.size() - kPerStep.size());
    v.attributes.push_back({"cell_methods", "time: " + std::string(to_string(o.reduction))});
  }
  v.attributes.push_back({"series", o.series});
  v.attributes.push_back({"reduce", std::string(to_string(o.reduction))});
  v.attributes.push_back({"window_start", first});
  v.attributes.push_back({"window_end", o.window_end ? to_string(*o.window_end) : std::string("")});
  return v;
}

}  // namespace

fs::path SweepFile::partial_path(const fs::path& output) {
  fs::path partial = output;
  partial += ".partial";
  return partial;
}

SweepFile::SweepFile(const Sweep& sweep, const fs::path& output, const SweepOptions& options)
    : sweep_(sweep) {
  const SweepSpec& spec = sweep.spec();
  const Model& reference = sweep.reference();
  const fs::path partial = partial_path(output);
  std::error_code error;
  const bool partial_exists = fs::exists(fs::symlink_status(partial, error));

  if (options.resume && partial_exists) {
    file_.emplace(OutputFile::reopen(output, partial, options.overwrite));
    if (file_->root_string_attribute("sweep_yaml") != spec.text ||
        file_->root_string_attribute("scenario_yaml") != reference.scenario_text) {
      throw InputError(partial.string() +
                       ": was written for a different sweep file or scenario than '" + spec.file +
                       "'; delete it to start over");
    }
    // Members drawn with another SLEEF release would not match the rest bit for bit.
    if (const std::string written = file_->root_string_attribute("sleef_version");
        written != kSleefVersion) {
      throw InputError(partial.string() + ": was written by a migrasim built with SLEEF " +
                       (written.empty() ? std::string("(unknown)") : written) +
                       ", this one with SLEEF " + kSleefVersion +
                       ": members would not be comparable; delete it to start over");
    }
    const std::vector<double> status = file_->read("member_status");
    if (status.size() != sweep.members()) {
      throw InputError(partial.string() + ": has " + std::to_string(status.size()) +
                       " members, the sweep " + std::to_string(sweep.members()) +
                       "; delete it to start over");
    }
    for (const double s : status)
      status_.push_back(s == kFinished ? kFinished : s == kFailed ? kFailed : kNotRun);
    return;
  }
  if (options.resume && !options.overwrite && fs::exists(fs::symlink_status(output, error))) {
    throw OutputError("'" + output.string() +
                      "' already exists: the sweep has finished; nothing to resume");
  }
  if (partial_exists && !options.overwrite) {
    throw OutputError("'" + partial.string() +
                      "' exists: an earlier run of this sweep stopped before finishing; pass "
                      "--resume to continue "
                      "it, or --force to start over");
  }

  std::vector<Axis> axes;
  Axis member{"member", "sweep member", "1", {}, {}, {}};
  for (std::uint32_t m = 0; m < sweep.members(); ++m) member.values.push_back(m);
  axes.push_back(std::move(member));
  Axis replicate{"replicate", "replicate index", "1", {}, {}, {}};
  for (std::uint32_t r = 0; r < spec.replicates; ++r) replicate.values.push_back(r);
  axes.push_back(std::move(replicate));
  if (!sweep.kept_steps().empty()) {
    Axis time{"time",
              "start of the time step",
              "days since " + to_string(reference.start_date),
              {},
              {},
              {{"calendar", std::string("proleptic_gregorian")},
               {"standard_name", std::string("time")},
               {"step_days", reference.step_days}}};
    for (const std::int32_t t : sweep.kept_steps()) time.values.push_back(t * reference.step_days);
    axes.push_back(std::move(time));
  }

  std::vector<Variable> variables;
  for (const SweepParameter& p : spec.parameters) variables.push_back(parameter_variable(p));
  for (const SweepOutput& o : spec.outputs) variables.push_back(output_variable(o, reference));
  variables.push_back(
      Variable{"member_status",
               "state of each sweep member",
               "1",
               {"member"},
               {{"flag_values",
                 std::vector<double>{SweepFile::kNotRun, SweepFile::kFinished, SweepFile::kFailed}},
                {"flag_meanings", std::string("not_run finished failed")},
                {"comment", std::string("0 not run, 1 finished, 2 failed (its outputs are NaN; "
                                        "the reason was printed when it failed)")}}});
  variables.push_back(
      Variable{"member_seed",
               "random seed of each sweep member",
               "1",
               {"member"},
               {{"comment", std::string("derived from the sweep seed and the member index")}}});

  std::string fixed;
  for (const std::string& o : spec.fixed_overrides) fixed += (fixed.empty() ? "" : "\n") + o;
  std::vector<Attribute> root = provenance_attributes("migrasim sweep: " + spec.name);
  root.insert(
      root.end(),
      {
          {"sweep_name", spec.name},
          {"sweep_file", spec.file},
          {"sweep_yaml", spec.text},
          {"design", std::string(to_string(spec.design))},
          {"parameters", joined_names(spec, true)},
          {"outputs", joined_names(spec, false)},
          {"base_samples",
           static_cast<std::int64_t>(spec.design == SweepDesign::kSobol ? spec.samples : 0)},
          {"members", static_cast<std::int64_t>(sweep.members())},
          {"replicates", static_cast<std::int64_t>(spec.replicates)},
          {"seed", spec.seed},
          {"seeds", std::string(spec.seeds == MemberSeeds::kCommon ? "common" : "per_member")},
          {"scenario_file", spec.scenario_path},
          {"scenario_yaml", reference.scenario_text},
          {"scenario_overrides", fixed},
          {"command_line", options.command_line},
      });
  file_.emplace(output, std::move(axes), std::move(variables), std::move(root),
                OutputOptions{options.overwrite, partial});

  const SweepPlan& plan = sweep.plan();
  std::vector<double> column(sweep.members());
  for (std::uint32_t p = 0; p < plan.parameters; ++p) {
    for (std::uint32_t m = 0; m < sweep.members(); ++m) column[m] = plan.value(m, p);
    file_->write(spec.parameters[p].name, {}, column);
  }
  for (std::uint32_t m = 0; m < sweep.members(); ++m)
    column[m] = static_cast<double>(plan.seeds[m]);
  file_->write("member_seed", {}, column);
  status_.assign(sweep.members(), kNotRun);
  std::fill(column.begin(), column.end(), 0.0);
  file_->write("member_status", {}, column);
  file_->flush();
}

std::vector<std::uint32_t> SweepFile::pending() const {
  std::vector<std::uint32_t> members;
  for (std::uint32_t m = 0; m < status_.size(); ++m) {
    if (status_[m] != kFinished) members.push_back(m);
  }
  return members;
}

void SweepFile::write(const MemberResult& result) {
  const SweepSpec& spec = sweep_.spec();
  std::size_t offset = 0;
  for (const SweepOutput& o : spec.outputs) {
    const std::size_t width = o.reduction == Reduction::kPerStep ? sweep_.kept_steps().size() : 1;
    const std::size_t count = spec.replicates * width;
    file_->write(o.name, {result.member},
                 std::span<const double>(result.values.data() + offset, count));
    offset += count;
  }
  // The status last, after the data has left HDF5's buffers: a member counts as
  // finished only once its data is in the file.
  file_->flush();
  const double status = result.ok ? kFinished : kFailed;
  file_->write("member_status", {result.member}, std::span<const double>(&status, 1));
  file_->flush();
  status_[result.member] = result.ok ? kFinished : kFailed;
}

void SweepFile::commit() { file_->commit(); }

}  // namespace migrasim
