// Runs over a posterior (`migrasim run --posterior POSTERIOR.h5`): replicate r
// of a run with seed s runs with particle posterior_particle(posterior, s, r)
// of the final generation, drawn by weight, so two scenarios run with the same
// seed use the same particles and their comparison stays paired. The run file
// records each replicate's particle: particle(replicate) and
// parameter_value(replicate, parameter).
#pragma once

#include <string>
#include <vector>

#include "calibrate/posterior_file.hpp"
#include "output/run.hpp"

namespace migrasim {

// Sets options.replicate_model, extras and write_extras for a run of `model`
// (already compiled from `scenario` with `overrides`, its seed and replicates
// final) over `posterior`. Throws InputError if the scenario refuses a
// particle's values.
void run_over_posterior(RunOptions& options, const Posterior& posterior, const Model& model,
                        const std::string& scenario, const std::vector<std::string>& overrides);

}  // namespace migrasim
