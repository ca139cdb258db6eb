// The layout of a sweep's output file: dimensions member, replicate and (for
// outputs kept step by step) time; one variable per swept parameter holding
// its value per member; one per kept output; member_status and member_seed;
// the sweep file and scenario at the root; over a posterior, each replicate's
// particle and its values. See docs/sweeps.md.
#include <linux/limits.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "model/series.hpp"
#include "sweep/sweep.hpp"
#include "util/errors.hpp"
#include "util/quoting.hpp"
#include "util/safe_file.hpp"
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

Variable output_variable(const SweepOutput& o, const SeriesAt& source, const Model& reference) {
  const SeriesInfo& info = source.axis_series
                               ? axis_series_info(static_cast<AxisSeries>(source.series))
                               : series_info(source.series);
  const std::string first = to_string(o.window_start.value_or(reference.start_date));
  const std::string last = o.window_end ? to_string(*o.window_end) : "end of run";
  Variable v{o.name, info.long_name, info.units, {"member", "replicate"}, {}};
  if (!o.at.kind.empty()) v.long_name += " (" + o.at.kind + " " + o.at.name + ")";
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
  // The place, as the sweep file names it: "node: border", "edge: hub->jungle".
  if (!o.at.kind.empty()) v.attributes.push_back({"at", o.at.kind + ": " + o.at.name});
  v.attributes.push_back({"reduce", std::string(to_string(o.reduction))});
  v.attributes.push_back({"window_start", first});
  v.attributes.push_back({"window_end", o.window_end ? to_string(*o.window_end) : std::string("")});
  return v;
}

// A member's checksum: FNV-1a over its index and the bits of its values in the
// order they are written, kept to 52 bits so a float64 variable holds it
// exactly. It guards against damage and careless edits, not against someone
// who means to forge a member (who could recompute it).
double member_checksum(std::uint32_t member, const std::vector<std::vector<double>>& slabs) {
  std::uint64_t hash = 14695981039346656037ull;
  const auto mix = [&](const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
  };
  mix(&member, sizeof member);
  for (const std::vector<double>& slab : slabs) mix(slab.data(), slab.size() * sizeof(double));
  return static_cast<double>(hash & ((std::uint64_t{1} << 52) - 1));
}

std::string gib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1u << 30));
  return text;
}

// The file is laid out contiguously with every byte allocated up front (so a
// killed sweep leaves a file that opens): it will take its full size at once.
// What cannot fit is refused before anything is written.
void refuse_if_too_large(const Sweep& sweep, const fs::path& output) {
  const SweepSpec& spec = sweep.spec();
  std::uint64_t per_member = 8 * (spec.parameters.size() + 3);  // + checksum, seed, status
  if (const auto& draws = sweep.per_replicate())                // particle and parameter_value
    per_member += 8 * spec.replicates * (1 + draws->names.size());
  for (const SweepOutput& o : spec.outputs) {
    const std::uint64_t width = o.reduction == Reduction::kPerStep ? sweep.kept_steps().size() : 1;
    per_member += 8 * spec.replicates * width;
  }
  // Metadata and the text attributes (the sweep file and scenario), generously.
  const std::uint64_t bytes = per_member * sweep.members() + (std::uint64_t{4} << 20);
  const fs::path directory = output.has_parent_path() ? output.parent_path() : fs::path(".");
  const std::optional<std::uint64_t> free_bytes = free_disk_bytes(directory);
  if (free_bytes && bytes > *free_bytes) {
    throw InputError(spec.file + ": the sweep's output (" + std::to_string(sweep.members()) +
                     " members x " + std::to_string(spec.replicates) + " replicates) needs about " +
                     gib(bytes) + ", but only " + gib(*free_bytes) + " are free in " +
                     quote(directory.string(), 4096) +
                     "; keep fewer outputs or reduce them (reduce: sum, mean, last, max), or "
                     "use fewer members or replicates");
  }
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
  if (partial.filename().string().size() > NAME_MAX) {
    throw OutputError("output name " + quote(output.filename().string(), 4096) + " is " +
                      std::to_string(output.filename().string().size()) +
                      " bytes long; a sweep's output name may have at most " +
                      std::to_string(NAME_MAX - partial.filename().string().size() +
                                     output.filename().string().size()) +
                      " (its partial file adds \".partial\")");
  }
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
    // The particles follow from the posterior: another one (or none) would
    // mix members run over different parameter distributions.
    const std::string posterior = sweep.per_replicate() ? sweep.per_replicate()->fingerprint : "";
    if (file_->root_string_attribute("posterior_fingerprint") != posterior) {
      const std::string written = file_->root_string_attribute("posterior_file");
      throw InputError(partial.string() + ": was written " +
                       (written.empty() ? std::string("without a posterior")
                                        : "over the posterior " + quote(written, 4096)) +
                       ", this sweep runs " +
                       (posterior.empty()
                            ? std::string("without one")
                            : "over " + quote(sweep.per_replicate()->file, 4096) +
                                  (written.empty() ? "" : ", whose particles differ")) +
                       "; delete it to start over");
    }
    const std::vector<double> status = file_->read("member_status");
    if (status.size() != sweep.members()) {
      throw InputError(partial.string() + ": has " + std::to_string(status.size()) +
                       " members, the sweep " + std::to_string(sweep.members()) +
                       "; delete it to start over");
    }
    for (const double s : status)
      status_.push_back(s == kFinished ? kFinished : s == kFailed ? kFailed : kNotRun);
    verify_resumed();
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

  refuse_if_too_large(sweep, output);

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
  const auto& draws = sweep.per_replicate();
  if (draws) axes.push_back(Axis{"parameter", "calibrated parameter", "", {}, draws->names, {}});

  std::vector<Variable> variables;
  for (const SweepParameter& p : spec.parameters) variables.push_back(parameter_variable(p));
  for (std::size_t k = 0; k < spec.outputs.size(); ++k)
    variables.push_back(output_variable(spec.outputs[k], sweep.sources()[k], reference));
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
      Variable{"member_checksum",
               "checksum of each finished member's outputs",
               "1",
               {"member"},
               {{"comment", std::string("FNV-1a of the member index and its outputs' float64 "
                                        "bits, low 52 bits; checked by --resume")}}});
  variables.push_back(
      Variable{"member_seed",
               "random seed of each sweep member",
               "1",
               {"member"},
               {{"comment", std::string("derived from the sweep seed and the member index")}}});

  std::string keys;
  if (draws) {
    for (const std::string& k : draws->key_paths) keys += (keys.empty() ? "" : "\n") + k;
    variables.push_back(Variable{
        "particle",
        "index of the posterior particle each replicate runs with",
        "1",
        {"member", "replicate"},
        {{"comment", std::string("a particle of the final generation of the posterior "
                                 "file, drawn by weight from (member_seed, replicate)")}}});
    variables.push_back(Variable{"parameter_value",
                                 "value of each calibrated parameter in the replicate",
                                 "1",
                                 {"member", "replicate", "parameter"},
                                 {{"key_paths", keys}}});
  }

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
  if (draws) {
    root.insert(root.end(), {{"posterior_file", draws->file},
                             {"posterior_parameter_keys", keys},
                             {"posterior_fingerprint", draws->fingerprint}});
  }
  file_.emplace(output, std::move(axes), std::move(variables), std::move(root),
                OutputOptions{options.overwrite, partial});

  for (const auto& [name, column] : layout_columns()) file_->write(name, {}, column);
  status_.assign(sweep.members(), kNotRun);
  file_->write("member_status", {}, std::vector<double>(sweep.members(), 0.0));
  // Under the partial name only now, complete: a sweep killed while laying out
  // leaves no partial file, so --resume starts it afresh.
  file_->keep_as_partial();
}

std::vector<std::pair<std::string, std::vector<double>>> SweepFile::layout_columns() const {
  const SweepPlan& plan = sweep_.plan();
  std::vector<std::pair<std::string, std::vector<double>>> columns;
  std::vector<double> column(sweep_.members());
  for (std::uint32_t p = 0; p < plan.parameters; ++p) {
    for (std::uint32_t m = 0; m < sweep_.members(); ++m) column[m] = plan.value(m, p);
    columns.emplace_back(sweep_.spec().parameters[p].name, column);
  }
  for (std::uint32_t m = 0; m < sweep_.members(); ++m)
    column[m] = static_cast<double>(plan.seeds[m]);
  columns.emplace_back("member_seed", column);
  if (const auto& draws = sweep_.per_replicate()) {
    const std::uint32_t replicates = sweep_.spec().replicates;
    const std::size_t k = draws->names.size();
    std::vector<double> particle, values;
    particle.reserve(std::size_t{sweep_.members()} * replicates);
    values.reserve(particle.capacity() * k);
    for (std::uint32_t m = 0; m < sweep_.members(); ++m) {
      for (std::uint32_t r = 0; r < replicates; ++r) {
        const std::uint32_t row = sweep_.replicate_row(m, r);
        particle.push_back(row);
        values.insert(values.end(), draws->values.begin() + static_cast<std::ptrdiff_t>(row * k),
                      draws->values.begin() + static_cast<std::ptrdiff_t>((row + 1) * k));
      }
    }
    columns.emplace_back("particle", std::move(particle));
    columns.emplace_back("parameter_value", std::move(values));
  }
  return columns;
}

std::vector<std::vector<double>> SweepFile::read_member(std::uint32_t member) const {
  std::vector<std::vector<double>> slabs;
  for (const SweepOutput& o : sweep_.spec().outputs) slabs.push_back(file_->read(o.name, {member}));
  return slabs;
}

void SweepFile::verify_resumed() {
  // The parameter values and seeds follow from the sweep file, which matched:
  // what differs in the partial file was damaged, and is written again.
  for (const auto& [name, column] : layout_columns()) {
    const std::vector<double> written = file_->read(name);
    if (std::memcmp(written.data(), column.data(), column.size() * sizeof(double)) != 0) {
      file_->write(name, {}, column);
      ++repaired_columns_;
    }
  }
  // A finished member whose values no longer match its checksum (or one marked
  // finished that never ran) is run again.
  std::vector<double> checksums;
  try {
    checksums = file_->read("member_checksum");
  } catch (const OutputError&) {
    throw InputError(SweepFile::partial_path(file_->final_path()).string() +
                     ": has no member checksums (written by an older migrasim); delete it to "
                     "start over");
  }
  for (std::uint32_t m = 0; m < status_.size(); ++m) {
    if (status_[m] == kNotRun) continue;
    if (!(checksums[m] == member_checksum(m, read_member(m)))) {
      status_[m] = kNotRun;
      ++damaged_;
    }
  }
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
  std::vector<std::vector<double>> slabs;
  for (const SweepOutput& o : spec.outputs) {
    const std::size_t width = o.reduction == Reduction::kPerStep ? sweep_.kept_steps().size() : 1;
    const std::size_t count = spec.replicates * width;
    slabs.emplace_back(result.values.begin() + static_cast<std::ptrdiff_t>(offset),
                       result.values.begin() + static_cast<std::ptrdiff_t>(offset + count));
    file_->write(o.name, {result.member}, slabs.back());
    offset += count;
  }
  // The status last, after the data has left HDF5's buffers: a member counts as
  // finished only once its data is in the file.
  file_->flush();
  const double checksum = member_checksum(result.member, slabs);
  file_->write("member_checksum", {result.member}, std::span<const double>(&checksum, 1));
  const double status = result.ok ? kFinished : kFailed;
  file_->write("member_status", {result.member}, std::span<const double>(&status, 1));
  file_->flush();
  status_[result.member] = result.ok ? kFinished : kFailed;
}

void SweepFile::commit() { file_->commit(); }

}  // namespace migrasim
