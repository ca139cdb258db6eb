#include "calibrate/posterior_run.hpp"

#include <memory>

#include "input/scenario.hpp"
#include "util/errors.hpp"

namespace migrasim {

void run_over_posterior(RunOptions& options, const Posterior& posterior, const Model& model,
                        const std::string& scenario, const std::vector<std::string>& overrides) {
  run_over_posterior(options, posterior, model,
                     [scenario, overrides](const std::vector<std::string>& more) {
                       std::vector<std::string> all = overrides;
                       all.insert(all.end(), more.begin(), more.end());
                       return compile(load_scenario(scenario, all));
                     });
}

void run_over_posterior(RunOptions& options, const Posterior& posterior, const Model& model,
                        Recompile recompile) {
  auto particles = std::make_shared<std::vector<std::uint32_t>>();
  for (std::uint32_t r = 0; r < model.replicates; ++r)
    particles->push_back(posterior_particle(posterior, model.seed, r));

  const std::uint64_t seed = model.seed;
  const std::uint32_t replicates = model.replicates;
  options.replicate_model = [=, &posterior](std::uint32_t replicate) {
    Model m;
    try {
      m = recompile(posterior_overrides(posterior, (*particles)[replicate]));
    } catch (const InputError& e) {
      throw InputError(posterior.file + ": particle " + std::to_string((*particles)[replicate]) +
                       " does not fit the scenario: " + e.what());
    }
    m.seed = seed;
    m.replicates = replicates;
    return m;
  };

  Axis parameter{"parameter", "calibrated parameter", "", {}, posterior.names, {}};
  options.extras.axes.push_back(std::move(parameter));
  options.extras.variables.push_back(
      {"particle",
       "index of the posterior particle the replicate runs with",
       "1",
       {"replicate"},
       {{"comment", std::string("a particle of the final generation of the posterior file, "
                                "drawn by weight from (seed, replicate)")}}});
  std::string keys;
  for (const std::string& k : posterior.key_paths) keys += (keys.empty() ? "" : "\n") + k;
  options.extras.variables.push_back({"parameter_value",
                                      "value of each calibrated parameter in the replicate",
                                      "1",
                                      {"replicate", "parameter"},
                                      {{"key_paths", keys}}});
  options.extras.attributes.push_back({"posterior_file", posterior.file});
  options.extras.attributes.push_back({"posterior_parameter_keys", keys});
  options.write_extras = [particles, &posterior](OutputFile& file, std::uint32_t replicate) {
    const std::uint32_t particle = (*particles)[replicate];
    const double index = particle;
    file.write("particle", {replicate}, std::span<const double>(&index, 1));
    const std::size_t k = posterior.names.size();
    file.write("parameter_value", {replicate},
               std::span<const double>(posterior.parameters.data() + particle * k, k));
  };
}

}  // namespace migrasim
