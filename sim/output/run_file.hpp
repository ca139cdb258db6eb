// The layout of a run's output file: dimensions replicate, time and node; one
// variable per output series; the scenario and provenance at the root.
#pragma once

#include <filesystem>
#include <string>

#include "engine/state.hpp"
#include "model/model.hpp"
#include "output/output_file.hpp"

namespace migrasim {

OutputFile create_run_file(const Model& model, const std::filesystem::path& path,
                           const std::string& command_line, bool overwrite);
// The same with every option of the file (e.g. in memory).
OutputFile create_run_file(const Model& model, const std::filesystem::path& path,
                           const std::string& command_line, const OutputOptions& options);

void write_replicate(OutputFile& file, const Model& model, std::uint32_t replicate,
                     const Recording& recording);

}  // namespace migrasim
