#include "output/run_file.hpp"

#include <numeric>
#include <span>

namespace migrasim {

OutputFile create_run_file(const Model& m, const std::filesystem::path& path,
                           const std::string& command_line, bool overwrite,
                           const RunFileExtras& extras) {
  OutputOptions options;
  options.overwrite = overwrite;
  return create_run_file(m, path, command_line, options, extras);
}

OutputFile create_run_file(const Model& m, const std::filesystem::path& path,
                           const std::string& command_line, const OutputOptions& options,
                           const RunFileExtras& extras) {
  std::vector<Axis> axes;
  Axis replicate{"replicate", "replicate index", "1", {}, {}, {}};
  for (std::uint32_t r = 0; r < m.replicates; ++r) replicate.values.push_back(r);
  axes.push_back(std::move(replicate));

  // Each step is labelled with its start; flows are sums over [t, t + step_days).
  Axis time{"time",
            "start of the time step",
            "days since " + to_string(m.start_date),
            {},
            {},
            {{"calendar", std::string("proleptic_gregorian")},
             {"standard_name", std::string("time")},
             {"step_days", m.step_days}}};
  for (std::int32_t t = 0; t < m.steps; ++t) time.values.push_back(t * m.step_days);
  axes.push_back(std::move(time));

  Axis node{"node", "route node", "", {}, m.node_name, {}};
  axes.push_back(std::move(node));
  // Edges are labelled "from->to" with the node names.
  std::vector<std::string> edge_labels;
  for (std::size_t e = 0; e < m.edge_count(); ++e) edge_labels.push_back(edge_label(m, e));
  axes.push_back(Axis{"edge", "route edge (from->to)", "", {}, edge_labels, {}});
  if (m.checkpoint_count() > 0)
    axes.push_back(Axis{"checkpoint", "checkpoint", "", {}, m.checkpoint_name, {}});
  if (m.network_count() > 0)
    axes.push_back(Axis{"network", "smuggling network", "", {}, m.network_name, {}});
  if (!m.interventions.empty()) {
    Axis intervention{"intervention", "policy intervention", "", {}, {}, {}};
    std::string types;
    for (const Intervention& v : m.interventions) {
      intervention.labels.push_back(v.name);
      if (!types.empty()) types += ' ';
      types += v.type();
    }
    intervention.attributes.push_back({"intervention_types", types});
    axes.push_back(std::move(intervention));
  }

  std::vector<Variable> variables;
  auto add = [&](const SeriesInfo& info, std::vector<std::string> dims) {
    std::vector<Attribute> attributes{
        {"cell_methods", std::string(info.cell_methods())},
        {"comment",
         std::string(info.is_flow
                         ? "sum over the step that starts at the time coordinate"
                         : "value at the end of the step that starts at the time coordinate")}};
    variables.push_back(
        Variable{info.name, info.long_name, info.units, std::move(dims), std::move(attributes)});
  };
  for (std::size_t k = 0; k < kSeriesCount; ++k) add(series_info(k), {"replicate", "time"});
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    const auto series = static_cast<AxisSeries>(k);
    const SeriesAxis axis = axis_of(series);
    // A dimension of length 0 (no checkpoints, no networks) is left out, with its series.
    if (axis_length(m, axis) == 0) continue;
    add(axis_series_info(series), {"replicate", "time", to_string(axis)});
  }
  if (!m.interventions.empty()) {
    variables.push_back(Variable{
        "intervention_activity",
        "level at which each intervention is in force",
        "1",
        {"replicate", "time", "intervention"},
        {{"cell_methods", std::string("time: point")},
         {"comment", std::string("0 not in force, 1 in full force; between while ramping up")}}});
  }

  std::string overrides;
  for (const auto& o : m.overrides) overrides += (overrides.empty() ? "" : "\n") + o;
  std::vector<Attribute> root = provenance_attributes("migrasim run: " + m.scenario_name);
  root.insert(root.end(), {
                              {"scenario_name", m.scenario_name},
                              {"scenario_file", m.scenario_file},
                              {"scenario_yaml", m.scenario_text},
                              {"scenario_overrides", overrides},
                              {"scenario_sources", m.scenario_sources},
                              {"seed", m.seed},
                              {"replicates", static_cast<std::int64_t>(m.replicates)},
                              {"agents", static_cast<std::int64_t>(m.agents)},
                              {"persons_per_agent", m.persons_per_agent},
                              {"step_days", m.step_days},
                              {"command_line", command_line},
                          });
  axes.insert(axes.end(), extras.axes.begin(), extras.axes.end());
  variables.insert(variables.end(), extras.variables.begin(), extras.variables.end());
  root.insert(root.end(), extras.attributes.begin(), extras.attributes.end());
  return OutputFile(path, std::move(axes), std::move(variables), std::move(root), options);
}

void write_replicate(OutputFile& file, const Model& m, std::uint32_t replicate,
                     const Recording& recording) {
  const auto steps = static_cast<std::size_t>(m.steps);
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    file.write(series_info(k).name, {replicate},
               std::span<const double>(recording.scalar.data() + k * steps, steps));
  }
  if (!m.interventions.empty()) {
    file.write("intervention_activity", {replicate}, recording.intervention_activity);
  }
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    const auto series = static_cast<AxisSeries>(k);
    if (axis_length(m, axis_of(series)) == 0) continue;
    file.write(axis_series_info(series).name, {replicate}, recording.axis[k]);
  }
}

}  // namespace migrasim
