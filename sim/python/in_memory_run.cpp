#include "python/in_memory_run.hpp"

#include "output/run_file.hpp"

namespace migrasim {

std::vector<unsigned char> run_to_image(const Model& model, const std::string& name,
                                        const RunOptions& options) {
  OutputOptions in_memory;
  in_memory.in_memory = true;
  OutputFile file = create_run_file(model, name, options.command_line, in_memory, options.extras);
  run_scenario(model, file, options);
  return file.image();
}

}  // namespace migrasim
