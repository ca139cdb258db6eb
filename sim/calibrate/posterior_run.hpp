// Runs over a posterior (`migrasim run --posterior POSTERIOR.h5`): replicate r
// of a run with seed s runs with particle posterior_particle(posterior, s, r)
// of the final generation, drawn by weight, so two scenarios run with the same
// seed use the same particles and their comparison stays paired. The run file
// records each replicate's particle: particle(replicate) and
// parameter_value(replicate, parameter). A sweep over a posterior draws the
// same way for each member's seed (replicate_parameters).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "calibrate/posterior_file.hpp"
#include "output/run.hpp"
#include "sweep/sweep.hpp"

namespace migrasim {

// Compiles the run's scenario again with these --set overrides added.
using Recompile = std::function<Model(const std::vector<std::string>& overrides)>;

// Sets options.replicate_model, extras and write_extras for a run of `model`
// (its seed and replicates final) over `posterior`; `recompile` gives the
// scenario with a particle's values. Throws InputError if the scenario refuses
// a particle's values.
void run_over_posterior(RunOptions& options, const Posterior& posterior, const Model& model,
                        Recompile recompile);

// The same for the scenario file `scenario` read with `overrides`.
void run_over_posterior(RunOptions& options, const Posterior& posterior, const Model& model,
                        const std::string& scenario, const std::vector<std::string>& overrides);

// The posterior as rows drawn per replicate, for `sweep --posterior`: row(s, r)
// is posterior_particle(posterior, s, r). The fingerprint is FNV-1a over the
// names, keys, particles' values and weights, so a changed posterior file
// does not pass for the one a partial sweep was written over.
ReplicateParameters replicate_parameters(const Posterior& posterior);

}  // namespace migrasim
