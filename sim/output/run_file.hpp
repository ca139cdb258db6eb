// The layout of a run's output file: dimensions replicate, time and node; one
// variable per output series; the scenario and provenance at the root.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/state.hpp"
#include "model/model.hpp"
#include "output/output_file.hpp"

namespace migrasim {

// Axes, variables and root attributes a caller adds to the run file's own
// (a posterior run's particle per replicate).
struct RunFileExtras {
  std::vector<Axis> axes;
  std::vector<Variable> variables;
  std::vector<Attribute> attributes;
};

OutputFile create_run_file(const Model& model, const std::filesystem::path& path,
                           const std::string& command_line, bool overwrite,
                           const RunFileExtras& extras = {});
// The same with every option of the file (e.g. in memory).
OutputFile create_run_file(const Model& model, const std::filesystem::path& path,
                           const std::string& command_line, const OutputOptions& options,
                           const RunFileExtras& extras = {});

void write_replicate(OutputFile& file, const Model& model, std::uint32_t replicate,
                     const Recording& recording);

}  // namespace migrasim
