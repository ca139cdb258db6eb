#include "sweep/sweep.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "engine/invariants.hpp"
#include "engine/state.hpp"
#include "input/scenario.hpp"
#include "model/series.hpp"
#include "util/errors.hpp"
#include "util/format.hpp"
#include "util/quoting.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// Not a std::exception, so that run_member's catch-all lets it through.
struct HookFailed {
  std::exception_ptr error;
};

// The value a reduction gives over `steps` of one recorded series, whose
// value of step t is series[t * stride].
double reduce(const double* series, std::size_t stride, const std::vector<std::int32_t>& steps,
              Reduction reduction) {
  const auto at = [&](std::int32_t t) { return series[static_cast<std::size_t>(t) * stride]; };
  switch (reduction) {
    case Reduction::kSum:
    case Reduction::kMean: {
      double sum = 0.0;
      for (const std::int32_t t : steps) sum += at(t);
      return reduction == Reduction::kSum ? sum : sum / static_cast<double>(steps.size());
    }
    case Reduction::kLast:
      return at(steps.back());
    case Reduction::kMax: {
      double high = at(steps.front());
      for (const std::int32_t t : steps) high = std::max(high, at(t));
      return high;
    }
    case Reduction::kPerStep:
      break;
  }
  return kMissing;
}

}  // namespace

// Two spellings of one key (`edges.0.cost_usd` and `edges[0].cost_usd`, an
// element by index and by name) are one key: the later would silently override
// the earlier, and the file would record a parameter that never varied. Keys
// are compared as apply_override() resolves them, not as written.
void Sweep::refuse_keys_set_twice() const {
  std::map<std::string, std::string> resolved;  // canonical key path -> where it was given
  const auto resolve = [&](const std::string& assignment) -> std::optional<std::string> {
    YAML::Node copy = YAML::Clone(base_.root);
    try {
      return apply_override(copy, assignment);
    } catch (const InputError&) {
      return std::nullopt;  // a key that does not exist is reported with its values below
    }
  };
  for (const std::string& fixed : spec_.fixed_overrides) {
    if (const auto canonical = resolve(fixed)) resolved.emplace(*canonical, "set: " + fixed);
  }
  for (std::uint32_t p = 0; p < plan_.parameters; ++p) {
    const SweepParameter& parameter = spec_.parameters[p];
    const auto canonical = resolve(parameter_override(parameter, plan_.value(0, p)));
    if (!canonical) continue;
    const auto [it, inserted] = resolved.emplace(
        *canonical, "parameter " + parameter.name + " (" + parameter.key_path + ")");
    if (!inserted) {
      throw InputError(parameter.location + ": parameters[" + std::to_string(p) + "] (" +
                       parameter.name + "): key " + quote(parameter.key_path) + " is " +
                       quote(*canonical) + ", already set by " + quote(it->second, 200) +
                       "; each key may be swept or set once");
    }
  }
}

// A posterior draws its keys for every replicate, after the member's values:
// a key also swept or set would be overridden silently and the file would
// record values that never ran. Keys are compared as resolved, as above.
void Sweep::refuse_keys_of_the_posterior() const {
  const ReplicateParameters& draws = *per_replicate_;
  std::map<std::string, std::string> drawn;  // canonical key path -> parameter name
  const auto resolve = [&](const std::string& assignment) -> std::optional<std::string> {
    YAML::Node copy = YAML::Clone(base_.root);
    try {
      return apply_override(copy, assignment);
    } catch (const InputError&) {
      return std::nullopt;  // reported when the scenario is compiled with a particle
    }
  };
  const std::vector<std::string> first = draws.overrides(0);
  for (std::size_t k = 0; k < first.size(); ++k) {
    if (const auto canonical = resolve(first[k])) drawn.emplace(*canonical, draws.names[k]);
  }
  const auto refuse = [&](const std::string& where, const std::string& assignment) {
    const auto canonical = resolve(assignment);
    if (!canonical) return;
    if (const auto it = drawn.find(*canonical); it != drawn.end()) {
      throw InputError(where + ": key " + quote(*canonical) + " is the posterior's parameter " +
                       quote(it->second) + " (" + quote(draws.file, 4096) +
                       "), drawn for every replicate; a sweep over a posterior may not sweep or "
                       "set it");
    }
  };
  for (const std::string& fixed : spec_.fixed_overrides)
    refuse(spec_.set_location + ": set", fixed);
  for (std::uint32_t p = 0; p < plan_.parameters; ++p) {
    const SweepParameter& parameter = spec_.parameters[p];
    refuse(parameter.location + ": parameters[" + std::to_string(p) + "] (" + parameter.name + ")",
           parameter_override(parameter, plan_.value(0, p)));
  }
}

Sweep::Sweep(SweepSpec spec, std::optional<ReplicateParameters> per_replicate)
    : spec_(std::move(spec)), per_replicate_(std::move(per_replicate)) {
  if (per_replicate_) {
    // The variables a posterior run adds to the file.
    const auto reserved = [](const std::string& name) {
      return name == "particle" || name == "parameter_value" || name == "parameter";
    };
    for (std::size_t p = 0; p < spec_.parameters.size(); ++p) {
      if (reserved(spec_.parameters[p].name)) {
        throw InputError(spec_.parameters[p].location + ": parameters[" + std::to_string(p) +
                         "]: " + quote(spec_.parameters[p].name) +
                         " is a reserved name in a sweep over a posterior; choose another");
      }
    }
    for (std::size_t o = 0; o < spec_.outputs.size(); ++o) {
      if (reserved(spec_.outputs[o].name)) {
        throw InputError(spec_.outputs[o].location + ": outputs[" + std::to_string(o) +
                         "]: " + quote(spec_.outputs[o].name) +
                         " is a reserved name in a sweep over a posterior; choose another");
      }
    }
  }
  std::error_code error;
  const fs::file_status status = fs::status(spec_.scenario_path, error);
  if (!fs::exists(status)) {
    throw InputError(spec_.scenario_location + ": scenario: cannot open the scenario file " +
                     quote(spec_.scenario_path, 4096) + " (paths are relative to the sweep file)");
  }
  if (!fs::is_regular_file(status)) {
    throw InputError(spec_.scenario_location + ": scenario: the scenario file " +
                     quote(spec_.scenario_path, 4096) + " is not a regular file");
  }
  base_ = load_composed_document(spec_.scenario_path);
  plan_ = plan_sweep(spec_);
  try {
    reference_ = compile(scenario_from_document(base_, spec_.scenario_path, spec_.fixed_overrides));
  } catch (const InputError& e) {
    throw InputError((spec_.set_location.empty() ? spec_.file : spec_.set_location) +
                     ": set: the scenario does not accept these values: " + e.what());
  }

  for (const SweepOutput& output : spec_.outputs) {
    sources_.push_back(
        resolve_series_at(reference_, output.series, output.series_location, output.at));
  }

  refuse_keys_set_twice();
  if (per_replicate_) {
    refuse_keys_of_the_posterior();
    // Every particle sets the same keys: one that fits shows the keys exist.
    const std::uint32_t row = replicate_row(0, 0);
    std::vector<std::string> overrides = spec_.fixed_overrides;
    for (std::string& o : per_replicate_->overrides(row)) overrides.push_back(std::move(o));
    try {
      compile(scenario_from_document(base_, spec_.scenario_path, overrides));
    } catch (const InputError& e) {
      throw InputError(per_replicate_->file + ": particle " + std::to_string(row) +
                       " does not fit the scenario: " + e.what());
    }
  }

  // A parameter whose key does not exist, or whose range the scenario refuses,
  // is the sweep file's mistake: report it now, at its line, rather than as
  // every member failing later.
  for (std::uint32_t p = 0; p < plan_.parameters; ++p) {
    const SweepParameter& parameter = spec_.parameters[p];
    double low = plan_.value(0, p), high = low;
    for (std::uint32_t m = 1; m < plan_.members; ++m) {
      low = std::min(low, plan_.value(m, p));
      high = std::max(high, plan_.value(m, p));
    }
    for (const double value : {low, high}) {
      std::vector<std::string> overrides = spec_.fixed_overrides;
      overrides.push_back(parameter_override(parameter, value));
      try {
        compile(scenario_from_document(base_, spec_.scenario_path, overrides));
      } catch (const InputError& e) {
        throw InputError(parameter.location + ": parameters[" + std::to_string(p) + "] (" +
                         parameter.name + "): the scenario does not accept " + overrides.back() +
                         ": " + e.what());
      }
    }
  }

  // A window reaching past the run would quietly sum over less than it says.
  const Date run_end{reference_.start_date.days_since_epoch +
                     static_cast<std::int32_t>(std::ceil(reference_.steps * reference_.step_days)) -
                     1};
  for (const SweepOutput& output : spec_.outputs) {
    if ((output.window_start && *output.window_start < reference_.start_date) ||
        (output.window_end && run_end < *output.window_end)) {
      throw InputError(output.location + ": outputs (" + output.name +
                       "): the window reaches outside the run, " +
                       to_string(reference_.start_date) + " to " + to_string(run_end));
    }
    const std::vector<std::int32_t> steps = window_steps(output, reference_);
    if (steps.empty()) {
      throw InputError(output.location + ": outputs (" + output.name + "): no step of the run (" +
                       to_string(reference_.start_date) + " onwards, " +
                       std::to_string(reference_.steps) + " steps) starts inside the window");
    }
    if (output.reduction == Reduction::kPerStep) kept_steps_ = steps;
    values_per_member_ +=
        spec_.replicates * (output.reduction == Reduction::kPerStep ? steps.size() : 1);
  }
}

std::vector<std::int32_t> Sweep::window_steps(const SweepOutput& output, const Model& model) const {
  std::vector<std::int32_t> steps;
  for (std::int32_t t = 0; t < model.steps; ++t) {
    const double day = t * model.step_days;  // days since the start date
    const Date start{model.start_date.days_since_epoch +
                     static_cast<std::int32_t>(std::floor(day))};
    if (output.window_start && start < *output.window_start) continue;
    if (output.window_end && *output.window_end < start) continue;
    steps.push_back(t);
  }
  return steps;
}

Model Sweep::member_model(std::uint32_t member, std::uint32_t replicate) const {
  std::vector<std::string> overrides = member_overrides(spec_, plan_, member);
  if (per_replicate_) {
    const std::uint32_t row = replicate_row(member, replicate);
    for (std::string& o : per_replicate_->overrides(row)) overrides.push_back(std::move(o));
  }
  Model model = compile(scenario_from_document(base_, spec_.scenario_path, overrides));
  model.seed = plan_.seeds[member];
  model.replicates = spec_.replicates;
  return model;
}

MemberResult Sweep::run_member(std::uint32_t member, const Hooks& hooks) const {
  MemberResult result;
  result.member = member;
  const auto start = Clock::now();
  try {
    // Members running side by side compile one at a time (hooks.compile_lock).
    const auto compile_member = [&](std::uint32_t replicate) {
      std::unique_lock<std::mutex> compiling;
      if (hooks.compile_lock != nullptr)
        compiling = std::unique_lock<std::mutex>(*hooks.compile_lock);
      return member_model(member, replicate);
    };
    Model model = compile_member(0);
    std::vector<std::vector<std::int32_t>> steps;
    for (const SweepOutput& output : spec_.outputs) {
      steps.push_back(window_steps(output, model));
      if (steps.back().empty())
        throw InputError("no step of this member's run starts inside the window of " + output.name);
      if (output.reduction == Reduction::kPerStep && steps.back() != kept_steps_) {
        throw InputError("this member changes the time axis, which outputs kept step by step (" +
                         output.name + ") share across members");
      }
    }
    State state = make_state(model);
    const auto observer = [&](const State&, const char*) {
      if (hooks.poll) {
        // A failure of the hook (writing another rank's result, say) is not
        // this member's failure: carry it past the catch below.
        try {
          hooks.poll();
        } catch (const Interrupted&) {
          throw;
        } catch (...) {
          throw HookFailed{std::current_exception()};
        }
      }
    };

    result.values.assign(values_per_member_, kMissing);
    for (std::uint32_t r = 0; r < spec_.replicates; ++r) {
      if (per_replicate_ && r > 0) {
        // Each replicate runs with its own particle, hence its own model.
        model = compile_member(r);
        for (std::size_t o = 0; o < spec_.outputs.size(); ++o) {
          if (window_steps(spec_.outputs[o], model) != steps[o]) {
            throw InputError("the posterior particle of replicate " + std::to_string(r) +
                             " changes the steps of " + spec_.outputs[o].name);
          }
        }
        state = make_state(model);
      }
      run_replicate_checked(model, r, state, hooks.check_invariants,
                            hooks.poll ? StageObserver(observer) : StageObserver());
      std::size_t offset = 0;
      for (std::size_t o = 0; o < spec_.outputs.size(); ++o) {
        const SweepOutput& output = spec_.outputs[o];
        const SeriesAt& source = sources_[o];
        const double* series =
            source.first_value(state.recording, static_cast<std::size_t>(model.steps));
        const std::size_t stride = source.stride();
        const std::size_t width = output.reduction == Reduction::kPerStep ? steps[o].size() : 1;
        double* slot = result.values.data() + offset + r * width;
        if (output.reduction == Reduction::kPerStep) {
          for (std::size_t i = 0; i < width; ++i)
            slot[i] = series[static_cast<std::size_t>(steps[o][i]) * stride];
        } else {
          slot[0] = reduce(series, stride, steps[o], output.reduction);
        }
        offset += spec_.replicates * width;
      }
    }
    result.ok = true;
  } catch (const Interrupted&) {
    throw;
  } catch (const HookFailed& failed) {
    std::rethrow_exception(failed.error);
  } catch (const std::exception& e) {
    result.ok = false;
    result.error = e.what();
    result.values.assign(values_per_member_, kMissing);
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

SweepProgress::SweepProgress(const SweepOptions& options, std::uint32_t to_run)
    : live_(options.progress && !options.quiet),
      log_(!options.progress && !options.quiet),
      to_run_(to_run),
      start_(Clock::now()),
      last_(start_) {}

void SweepProgress::member_done(const MemberResult& result) {
  ++done_;
  if (!result.ok) {
    ++failed_;
    if (live_) std::fprintf(stderr, "\r%*s\r", 78, "");
    std::fprintf(stderr, "migrasim: member %u failed: %s\n", result.member, result.error.c_str());
  }
  const auto now = Clock::now();
  const bool due = live_ ? now - last_ >= std::chrono::milliseconds(250)
                         : now - last_ >= std::chrono::seconds(30);
  if (!(live_ || log_) || (!due && done_ < to_run_)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = done_ / std::max(elapsed, 1e-9);
  const double eta = (to_run_ - done_) / std::max(rate, 1e-9);
  char failed[32] = "";
  if (failed_ > 0) std::snprintf(failed, sizeof failed, " (%u failed)", failed_);
  std::fprintf(stderr, "%smembers %u/%u%s  %.2f members/s  ETA %s%s",
               live_ ? "\r  " : "migrasim: ", done_, to_run_, failed, rate,
               format_duration(eta).c_str(), live_ ? "   " : "\n");
  std::fflush(stderr);
}

void SweepProgress::finish() {
  if (live_) std::fprintf(stderr, "\r%*s\r", 78, "");
}

SweepSummary run_sweep(const Sweep& sweep, const fs::path& output, const SweepOptions& options) {
  if (options.threads > 0) omp_set_num_threads(options.threads);
  const auto start = Clock::now();
  SweepFile file(sweep, output, options);
  const std::vector<std::uint32_t> pending = file.pending();
  SweepSummary summary;
  summary.members = sweep.members();
  summary.already_done = sweep.members() - static_cast<std::uint32_t>(pending.size());
  summary.damaged = file.damaged_members();
  SweepProgress progress(options, static_cast<std::uint32_t>(pending.size()));
  Sweep::Hooks hooks;
  hooks.check_invariants = options.check_invariants;
  const auto finished = [&](const MemberResult& result) {
    file.write(result);
    progress.member_done(result);
    ++summary.ran;
    if (!result.ok) summary.failures.emplace_back(result.member, result.error);
  };
  const auto count = static_cast<std::uint32_t>(pending.size());
  const int side_by_side = side_by_side_threads(sweep.reference().agents, count,
                                                omp_get_max_threads(), options.parallelism);
  if (side_by_side > 0) {
    // Members side by side, one per thread, written in the order of `pending`
    // as one after another would write them.
    std::mutex compile_lock;
    hooks.compile_lock = &compile_lock;
    run_side_by_side(
        count, side_by_side, [&](std::uint32_t i) { return sweep.run_member(pending[i], hooks); },
        [&](std::uint32_t, const MemberResult& result) { finished(result); });
  } else {
    for (const std::uint32_t member : pending) finished(sweep.run_member(member, hooks));
  }
  progress.finish();
  file.commit();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

std::string format_sweep_summary(const Sweep& sweep, const SweepSummary& summary,
                                 const fs::path& output) {
  std::ostringstream out;
  const SweepSpec& spec = sweep.spec();
  out << spec.name << ": " << to_string(spec.design) << " sweep of " << spec.parameters.size()
      << " parameter(s), " << summary.members << " members x " << spec.replicates
      << " replicate(s); ran " << summary.ran;
  if (summary.already_done > 0) out << " (" << summary.already_done << " already done)";
  if (summary.damaged > 0)
    out << " (" << summary.damaged << " found damaged in the partial file, run again)";
  char seconds[64];
  std::snprintf(seconds, sizeof seconds, " in %.2f s", summary.seconds);
  out << seconds;
  if (!summary.failures.empty())
    out << "; " << summary.failures.size() << " FAILED (member_status = 2)";
  out << "\nwrote " << output.string() << "\n";
  return out.str();
}

}  // namespace migrasim
