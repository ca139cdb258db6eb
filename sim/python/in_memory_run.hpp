// migrasim.run: a scenario run into an HDF5 file held in memory, laid out by
// the same code as `migrasim run` writes to disk (output/run_file.hpp), so the
// two cannot drift apart; Python opens the image with xarray.
#pragma once

#include <string>
#include <vector>

#include "model/model.hpp"
#include "output/run.hpp"

namespace migrasim {

// Runs every replicate of `model` and returns the bytes of its output file.
// `name` stands for the file in messages. Throws Interrupted when stopped
// (engine/simulation.hpp), OutputError on an HDF5 failure.
std::vector<unsigned char> run_to_image(const Model& model, const std::string& name,
                                        const RunOptions& options);

}  // namespace migrasim
