#include "calibrate/calibrate_run.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "calibrate/posterior_file.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void report_generation(const AbcSmc& abc, double seconds) {
  const Generation& g = abc.generations().back();
  std::fprintf(stderr,
               "migrasim: generation %zu: tolerance %.4g, acceptance %.3f, ESS %.1f, %llu "
               "simulations (%llu in all), %.1f s\n",
               abc.generations().size() - 1, g.tolerance, g.acceptance_rate(),
               g.effective_sample_size(), static_cast<unsigned long long>(g.simulations),
               static_cast<unsigned long long>(abc.total_simulations()), seconds);
}

}  // namespace

fs::path calibration_partial_path(const fs::path& output) {
  fs::path partial = output;
  partial += ".partial";
  return partial;
}

bool prepare_calibration_output(const fs::path& output, const CalibrateOptions& options) {
  const fs::path partial = calibration_partial_path(output);
  std::error_code error;
  const bool partial_exists = fs::exists(fs::symlink_status(partial, error));
  const bool output_exists = fs::exists(fs::symlink_status(output, error));
  if (output_exists && !options.overwrite) {
    throw OutputError("'" + output.string() + "' already exists" +
                      (options.resume ? ": the calibration has finished; nothing to resume"
                                      : "; pass --force to replace it"));
  }
  if (options.resume && partial_exists) return true;
  if (partial_exists && !options.overwrite) {
    throw OutputError("'" + partial.string() +
                      "' exists: an earlier run of this calibration stopped before finishing; pass "
                      "--resume to continue it, or --force to start over");
  }
  if (partial_exists) fs::remove(partial, error);
  const fs::path directory = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  if (!fs::is_directory(directory, error))
    throw OutputError("the output directory '" + directory.string() + "' does not exist");
  return false;
}

Executor local_executor(const Calibration& calibration, Parallelism parallelism) {
  const std::int64_t agents = calibration.reference().agents;
  return [agents, parallelism](std::uint32_t count, const ParticleJob& job) {
    const int side_by_side =
        side_by_side_threads(agents, count, omp_get_max_threads(), parallelism);
    if (side_by_side == 0) return run_serially(count, job);
    std::vector<ParticleResult> results(count);
    run_side_by_side(count, side_by_side, job, [&](std::uint32_t i, ParticleResult result) {
      results[i] = std::move(result);
    });
    return results;
  };
}

CalibrateSummary run_calibration(const Calibration& calibration, const fs::path& output,
                                 const CalibrateOptions& options, const Executor& executor,
                                 bool writer, bool resume_from_partial) {
  if (options.threads > 0) omp_set_num_threads(options.threads);
  const auto start = Clock::now();
  const fs::path partial = calibration_partial_path(output);
  AbcSmc abc(calibration.abc_settings(), calibration.abc_model());
  CalibrateSummary summary;
  if (resume_from_partial) {
    abc.restore(read_generations(partial, calibration));
    summary.resumed_generations = abc.generations().size();
  }
  auto generation_start = Clock::now();
  const auto finished = [&](const AbcSmc& state) {
    if (!writer) return;
    write_posterior(partial, calibration, state, {true, "", options.command_line});
    const auto now = Clock::now();
    if (!options.quiet)
      report_generation(state, std::chrono::duration<double>(now - generation_start).count());
    generation_start = now;
  };
  summary.stop_reason = abc.run(executor, finished);
  summary.generations = abc.generations().size();
  summary.simulations = abc.total_simulations();
  if (abc.generations().empty()) {
    throw std::runtime_error("the calibration stopped before its first generation: " +
                             summary.stop_reason);
  }
  if (writer) {
    write_posterior(output, calibration, abc,
                    {options.overwrite, summary.stop_reason, options.command_line});
    std::error_code error;
    fs::remove(partial, error);
  }
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (writer && !options.quiet)
    std::fputs(format_calibration_summary(calibration, abc, summary, output).c_str(), stdout);
  return summary;
}

std::string format_calibration_summary(const Calibration& calibration, const AbcSmc& abc,
                                       const CalibrateSummary& summary, const fs::path& output) {
  const CalibrationSpec& spec = calibration.spec();
  std::ostringstream out;
  char line[256];
  std::snprintf(
      line, sizeof line,
      "%s: %zu generation(s) of %u particles, %llu simulations in %.1f s%s\nstopped: %s\n",
      spec.name.c_str(), summary.generations, spec.population,
      static_cast<unsigned long long>(summary.simulations), summary.seconds,
      summary.resumed_generations > 0
          ? (" (" + std::to_string(summary.resumed_generations) + " resumed)").c_str()
          : "",
      summary.stop_reason.c_str());
  out << line;
  const Generation& g = abc.generations().back();
  const std::size_t k = spec.parameters.size();
  std::snprintf(line, sizeof line, "  %-28s %14s %14s %14s %14s\n", "parameter (final generation)",
                "mean", "sd", "5%", "95%");
  out << line;
  for (std::size_t p = 0; p < k; ++p) {
    std::vector<double> values(g.weights.size());
    double mean = 0.0, var = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = g.parameters[i * k + p];
      mean += g.weights[i] * values[i];
    }
    for (std::size_t i = 0; i < values.size(); ++i)
      var += g.weights[i] * (values[i] - mean) * (values[i] - mean);
    std::snprintf(line, sizeof line, "  %-28s %14.6g %14.6g %14.6g %14.6g\n",
                  spec.parameters[p].name.c_str(), mean, std::sqrt(var),
                  weighted_quantile(values, g.weights, 0.05),
                  weighted_quantile(values, g.weights, 0.95));
    out << line;
  }
  out << "wrote " << output.string() << "\n";
  return out.str();
}

}  // namespace migrasim
