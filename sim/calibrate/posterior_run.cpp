#include "calibrate/posterior_run.hpp"

#include <cstdio>
#include <cstring>
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

ReplicateParameters replicate_parameters(const Posterior& posterior) {
  std::uint64_t hash = 14695981039346656037ull;
  const auto mix = [&](const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
  };
  // Each text with its terminating zero, so ("ab", "c") and ("a", "bc") differ.
  for (const auto* texts : {&posterior.names, &posterior.key_paths})
    for (const std::string& t : *texts) mix(t.c_str(), t.size() + 1);
  mix(posterior.parameters.data(), posterior.parameters.size() * sizeof(double));
  mix(posterior.weights.data(), posterior.weights.size() * sizeof(double));
  char fingerprint[32];
  std::snprintf(fingerprint, sizeof fingerprint, "fnv1a64:%016llx",
                static_cast<unsigned long long>(hash));

  ReplicateParameters draws;
  draws.file = posterior.file;
  draws.fingerprint = fingerprint;
  draws.names = posterior.names;
  draws.key_paths = posterior.key_paths;
  draws.values = posterior.parameters;
  // The posterior is copied into the closures, so the rows outlive the caller's Posterior.
  auto shared = std::make_shared<const Posterior>(posterior);
  draws.row = [shared](std::uint64_t seed, std::uint32_t replicate) {
    return posterior_particle(*shared, seed, replicate);
  };
  draws.overrides = [shared](std::uint32_t row) { return posterior_overrides(*shared, row); };
  return draws;
}

}  // namespace migrasim
