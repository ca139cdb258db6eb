#include "calibrate/posterior_file.hpp"

#include <hdf5.h>

#include <cmath>
#include <sstream>

#include "output/h5.hpp"
#include "output/output_file.hpp"
#include "sweep/sweep_design.hpp"
#include "util/errors.hpp"
#include "util/random.hpp"
#include "util/version.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

Variable parameter_variable(const CalibrationParameter& p) {
  Variable v{p.name, "parameter " + p.key_path, p.units, {"generation", "particle"}, {}};
  v.attributes.push_back({"key_path", p.key_path});
  v.attributes.push_back({"prior", describe(p.prior)});
  v.attributes.push_back({"prior_distribution", std::string(to_string(p.prior.kind))});
  switch (p.prior.kind) {
    case PriorKind::kNormal:
    case PriorKind::kTruncatedNormal:
      v.attributes.push_back({"prior_mean", p.prior.mean});
      v.attributes.push_back({"prior_sd", p.prior.sd});
      break;
    case PriorKind::kBeta:
      v.attributes.push_back({"prior_alpha", p.prior.alpha});
      v.attributes.push_back({"prior_beta", p.prior.beta});
      break;
    default:
      break;
  }
  if (std::isfinite(p.prior.lower)) v.attributes.push_back({"prior_lower", p.prior.lower});
  if (std::isfinite(p.prior.upper)) v.attributes.push_back({"prior_upper", p.prior.upper});
  return v;
}

Variable target_variable(const Calibration& c, std::size_t k) {
  const CalibrationTarget& t = c.spec().targets[k];
  Variable v{t.name, c.target_long_name(k), c.target_units(k), {"generation", "particle"}, {}};
  v.attributes.push_back({"series", t.series});
  v.attributes.push_back({"at", t.at.kind.empty() ? std::string("") : t.at.kind + " " + t.at.name});
  v.attributes.push_back({"window", t.window_label});
  v.attributes.push_back({"window_start", to_string(t.window_start)});
  v.attributes.push_back({"window_end", to_string(t.window_end)});
  v.attributes.push_back({"reduce", std::string(to_string(c.target_reduction(k)))});
  v.attributes.push_back({"observed_low", t.observed_low});
  v.attributes.push_back({"observed_high", t.observed_high});
  v.attributes.push_back({"error_sd", t.error_sd()});
  return v;
}

// Read-only access to a finished or partial posterior file.
class Reader {
 public:
  explicit Reader(const fs::path& path) : path_(path) {
    h5::silence_errors();
    const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) throw InputError(path.string() + ": not a readable HDF5 file");
    file_ = h5::File(id);
  }

  std::string attribute(const std::string& name) const {
    if (H5Aexists(file_.get(), name.c_str()) <= 0) return {};
    const std::string what = "cannot read attribute '" + name + "' of " + path_.string();
    const h5::Attribute attribute(h5::check(H5Aopen(file_.get(), name.c_str(), H5P_DEFAULT), what));
    const h5::Datatype type = h5::vlen_utf8_string();
    char* text = nullptr;
    h5::check(H5Aread(attribute.get(), type.get(), &text), what);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }

  std::vector<double> read(const std::string& name) const {
    if (H5Lexists(file_.get(), name.c_str(), H5P_DEFAULT) <= 0)
      throw InputError(path_.string() + ": has no variable '" + name + "'; not a posterior file");
    const std::string what = "cannot read '" + name + "' from " + path_.string();
    const h5::Dataset dataset(h5::check(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), what));
    const h5::Dataspace space(h5::check(H5Dget_space(dataset.get()), what));
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    std::vector<double> values(static_cast<std::size_t>(std::max<hssize_t>(count, 0)));
    h5::check(
        H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        what);
    return values;
  }

 private:
  fs::path path_;
  h5::File file_;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, separator)) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

}  // namespace

void write_posterior(const fs::path& path, const Calibration& calibration, const AbcSmc& abc,
                     const PosteriorWrite& options) {
  const CalibrationSpec& spec = calibration.spec();
  const std::vector<Generation>& generations = abc.generations();
  const std::size_t n = spec.population, kp = spec.parameters.size(), kt = spec.targets.size();

  std::vector<Axis> axes;
  Axis generation{"generation", "ABC-SMC generation", "1", {}, {}, {}};
  for (std::size_t g = 0; g < generations.size(); ++g)
    generation.values.push_back(static_cast<double>(g));
  axes.push_back(std::move(generation));
  Axis particle{"particle", "particle of a generation", "1", {}, {}, {}};
  for (std::size_t i = 0; i < n; ++i) particle.values.push_back(static_cast<double>(i));
  axes.push_back(std::move(particle));

  std::vector<Variable> variables;
  for (const CalibrationParameter& p : spec.parameters) variables.push_back(parameter_variable(p));
  for (std::size_t k = 0; k < kt; ++k) variables.push_back(target_variable(calibration, k));
  const std::vector<std::string> per_particle{"generation", "particle"};
  variables.push_back({"weight",
                       "normalised importance weight of the particle",
                       "1",
                       per_particle,
                       {{"comment", std::string("prior(theta) / sum_j w_j K(theta | theta_j); "
                                                "sums to 1 in each generation")}}});
  variables.push_back({"distance",
                       "distance of the particle's simulation to the observed figures",
                       "1",
                       per_particle,
                       {{"comment", std::string(to_string(spec.distance)) +
                                        " norm of the targets' residuals in measurement sds "
                                        "(0 inside an observed range)"}}});
  variables.push_back(
      {"attempts", "simulations the particle took to be accepted", "1", per_particle, {}});
  variables.push_back({"parent",
                       "index of the particle's parent in the previous generation",
                       "1",
                       per_particle,
                       {}});
  variables.push_back({"tolerance",
                       "acceptance tolerance on the distance",
                       "1",
                       {"generation"},
                       {{"comment", std::string("infinite for generation 0 (prior draws)")}}});
  variables.push_back(
      {"acceptance_rate", "particles accepted per simulation", "1", {"generation"}, {}});
  variables.push_back(
      {"simulations", "simulations run for the generation", "1", {"generation"}, {}});
  variables.push_back({"effective_sample_size",
                       "effective sample size, 1 / sum of squared weights",
                       "1",
                       {"generation"},
                       {}});

  std::vector<std::string> names, keys, target_names;
  for (const CalibrationParameter& p : spec.parameters) {
    names.push_back(p.name);
    keys.push_back(p.key_path);
  }
  for (const CalibrationTarget& t : spec.targets) target_names.push_back(t.name);
  std::vector<Attribute> root = provenance_attributes("migrasim calibrate: " + spec.name);
  root.insert(
      root.end(),
      {
          {"calibration_name", spec.name},
          {"calibration_file", spec.file},
          {"calibration_yaml", spec.text},
          {"scenario_file", spec.scenario_path},
          {"scenario_yaml", calibration.reference().scenario_text},
          {"scenario_overrides", joined(spec.fixed_overrides, "\n")},
          {"parameters", joined(names, " ")},
          {"parameter_keys", joined(keys, "\n")},
          {"targets", joined(target_names, " ")},
          {"seed", spec.seed},
          {"population", static_cast<std::int64_t>(spec.population)},
          {"replicates", static_cast<std::int64_t>(spec.replicates)},
          {"kernel", std::string(to_string(spec.kernel))},
          {"distance", std::string(to_string(spec.distance))},
          {"quantile", spec.quantile},
          {"finished", std::string(options.stop_reason.empty() ? "false" : "true")},
          {"stop_reason", options.stop_reason},
          {"total_simulations", static_cast<std::uint64_t>(abc.total_simulations())},
          {"abandoned_simulations", static_cast<std::uint64_t>(abc.abandoned_simulations())},
          {"command_line", options.command_line},
      });
  OutputFile file(path, std::move(axes), std::move(variables), std::move(root), options.overwrite);

  const std::size_t ng = generations.size();
  std::vector<double> column(ng * n);
  for (std::size_t p = 0; p < kp; ++p) {
    for (std::size_t g = 0; g < ng; ++g)
      for (std::size_t i = 0; i < n; ++i) column[g * n + i] = generations[g].parameters[i * kp + p];
    file.write(spec.parameters[p].name, {}, column);
  }
  for (std::size_t k = 0; k < kt; ++k) {
    for (std::size_t g = 0; g < ng; ++g)
      for (std::size_t i = 0; i < n; ++i) column[g * n + i] = generations[g].summaries[i * kt + k];
    file.write(spec.targets[k].name, {}, column);
  }
  const auto per_particle_column = [&](const std::string& name, auto value) {
    for (std::size_t g = 0; g < ng; ++g)
      for (std::size_t i = 0; i < n; ++i) column[g * n + i] = value(generations[g], i);
    file.write(name, {}, column);
  };
  per_particle_column("weight", [](const Generation& g, std::size_t i) { return g.weights[i]; });
  per_particle_column("distance",
                      [](const Generation& g, std::size_t i) { return g.distances[i]; });
  per_particle_column("attempts", [](const Generation& g, std::size_t i) {
    return static_cast<double>(g.attempts[i]);
  });
  per_particle_column("parent", [](const Generation& g, std::size_t i) {
    return static_cast<double>(g.parents[i]);
  });
  const auto per_generation = [&](const std::string& name, auto value) {
    std::vector<double> values(ng);
    for (std::size_t g = 0; g < ng; ++g) values[g] = value(generations[g]);
    file.write(name, {}, values);
  };
  per_generation("tolerance", [](const Generation& g) { return g.tolerance; });
  per_generation("acceptance_rate", [](const Generation& g) { return g.acceptance_rate(); });
  per_generation("simulations",
                 [](const Generation& g) { return static_cast<double>(g.simulations); });
  per_generation("effective_sample_size",
                 [](const Generation& g) { return g.effective_sample_size(); });
  file.commit();
}

std::vector<Generation> read_generations(const fs::path& path, const Calibration& calibration) {
  const Reader file(path);
  const CalibrationSpec& spec = calibration.spec();
  if (file.attribute("calibration_yaml") != spec.text ||
      file.attribute("scenario_yaml") != calibration.reference().scenario_text) {
    throw InputError(path.string() +
                     ": was written for a different calibration file or scenario than '" +
                     spec.file + "'; delete it to start over");
  }
  if (const std::string written = file.attribute("sleef_version"); written != kSleefVersion) {
    throw InputError(path.string() + ": was written by a migrasim built with SLEEF " +
                     (written.empty() ? std::string("(unknown)") : written) +
                     ", this one with SLEEF " + kSleefVersion +
                     ": generations would not be comparable; delete it to start over");
  }
  const std::size_t n = spec.population, kp = spec.parameters.size(), kt = spec.targets.size();
  const std::vector<double> tolerance = file.read("tolerance");
  const std::vector<double> simulations = file.read("simulations");
  const std::vector<double> weight = file.read("weight");
  const std::vector<double> distance = file.read("distance");
  const std::vector<double> attempts = file.read("attempts");
  const std::vector<double> parent = file.read("parent");
  const std::size_t ng = tolerance.size();
  std::vector<std::vector<double>> parameters, summaries;
  for (const CalibrationParameter& p : spec.parameters) parameters.push_back(file.read(p.name));
  for (const CalibrationTarget& t : spec.targets) summaries.push_back(file.read(t.name));
  std::vector<Generation> generations(ng);
  for (std::size_t g = 0; g < ng; ++g) {
    Generation& gen = generations[g];
    gen.tolerance = tolerance[g];
    gen.simulations = static_cast<std::uint64_t>(simulations[g]);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = g * n + i;
      for (std::size_t p = 0; p < kp; ++p) gen.parameters.push_back(parameters[p][at]);
      for (std::size_t k = 0; k < kt; ++k) gen.summaries.push_back(summaries[k][at]);
      gen.weights.push_back(weight[at]);
      gen.distances.push_back(distance[at]);
      gen.attempts.push_back(static_cast<std::uint32_t>(attempts[at]));
      gen.parents.push_back(static_cast<std::uint32_t>(parent[at]));
    }
  }
  return generations;
}

Posterior read_posterior(const fs::path& path) {
  const Reader file(path);
  Posterior posterior;
  posterior.file = path.string();
  if (file.attribute("calibration_yaml").empty())
    throw InputError(path.string() + ": not a posterior file of migrasim calibrate");
  if (file.attribute("finished") != "true") {
    throw InputError(
        path.string() +
        ": the calibration has not finished; resume it with migrasim calibrate --resume");
  }
  posterior.names = split(file.attribute("parameters"), ' ');
  posterior.key_paths = split(file.attribute("parameter_keys"), '\n');
  if (posterior.names.empty() || posterior.names.size() != posterior.key_paths.size())
    throw InputError(path.string() + ": its parameter list is damaged");
  const std::vector<double> weight = file.read("weight");
  const std::size_t generations = file.read("tolerance").size();
  if (generations == 0 || weight.size() % generations != 0)
    throw InputError(path.string() + ": has no finished generation");
  const std::size_t n = weight.size() / generations;
  const std::size_t first = (generations - 1) * n;
  posterior.weights.assign(weight.begin() + static_cast<std::ptrdiff_t>(first), weight.end());
  const std::size_t k = posterior.names.size();
  posterior.parameters.resize(n * k);
  for (std::size_t p = 0; p < k; ++p) {
    const std::vector<double> values = file.read(posterior.names[p]);
    for (std::size_t i = 0; i < n; ++i) posterior.parameters[i * k + p] = values[first + i];
  }
  return posterior;
}

std::uint32_t posterior_particle(const Posterior& posterior, std::uint64_t seed,
                                 std::uint32_t replicate) {
  Draws draws(StreamKey{seed, 0, 0, StreamId::kPosteriorParticle}, replicate);
  return static_cast<std::uint32_t>(draws.categorical(posterior.weights, 1.0));
}

std::vector<std::string> posterior_overrides(const Posterior& posterior, std::uint32_t particle) {
  std::vector<std::string> overrides;
  const std::size_t k = posterior.names.size();
  for (std::size_t p = 0; p < k; ++p) {
    SweepParameter as_swept;
    as_swept.key_path = posterior.key_paths[p];
    overrides.push_back(parameter_override(as_swept, posterior.parameters[particle * k + p]));
  }
  return overrides;
}

}  // namespace migrasim
