// The posterior file of a calibration: every generation's particles (one
// variable per parameter, over generation x particle), importance weights,
// distances, the simulated summaries of every target, and per generation the
// tolerance, acceptance rate, simulation count and effective sample size; the
// calibration and scenario texts at the root. A netCDF-4 file that opens in
// xarray. See docs/calibration.md, "The posterior file".
//
// While a calibration runs, OUT.h5.partial holds the generations finished so
// far, replaced whole (written under a temporary name and renamed) after each:
// a stopped run resumes from it. The finished file is written the same way
// under OUT.h5, and the partial file removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "calibrate/abc_smc.hpp"
#include "calibrate/calibration.hpp"

namespace migrasim {

struct PosteriorWrite {
  bool overwrite = false;
  std::string stop_reason;  // empty while the calibration goes on
  std::string command_line;
};

void write_posterior(const std::filesystem::path& path, const Calibration& calibration,
                     const AbcSmc& abc, const PosteriorWrite& options);

// The generations held in a partial file written for this calibration.
// Throws InputError if it was written for another calibration file, scenario
// or SLEEF release.
std::vector<Generation> read_generations(const std::filesystem::path& path,
                                         const Calibration& calibration);

// The final generation of a finished posterior file, for runs over it.
struct Posterior {
  std::string file;
  std::vector<std::string> names;      // parameter names
  std::vector<std::string> key_paths;  // their scenario keys
  std::vector<double> parameters;      // (particles x names.size())
  std::vector<double> weights;         // (particles)
  std::size_t particles() const { return weights.size(); }
};

// Reads a finished posterior file. Throws InputError if it is not one.
Posterior read_posterior(const std::filesystem::path& path);

// The particle replicate `replicate` of a run with seed `seed` uses: drawn by
// weight, keyed by (seed, replicate) only, so runs of two scenarios with the
// same seed use the same particles.
std::uint32_t posterior_particle(const Posterior& posterior, std::uint64_t seed,
                                 std::uint32_t replicate);

// "key=value" overrides for particle `particle`.
std::vector<std::string> posterior_overrides(const Posterior& posterior, std::uint32_t particle);

}  // namespace migrasim
