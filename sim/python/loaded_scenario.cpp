#include "python/loaded_scenario.hpp"

#include "input/scenario.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

// Read afresh from the file or text: positions in messages come from the
// document as parsed (a copy of a document, as scenario_from_document makes,
// has none).
Model compile_afresh(const LoadedScenario& scenario, const std::vector<std::string>& overrides) {
  return compile(scenario.file == kTextFileName
                     ? parse_scenario(scenario.text, scenario.file, overrides)
                     : load_scenario(scenario.file, overrides));
}

}  // namespace

LoadedScenario load_for_python(const std::string& path_or_text, bool is_text,
                               const std::vector<std::string>& overrides) {
  LoadedScenario loaded;
  loaded.file = is_text ? std::string(kTextFileName) : path_or_text;
  if (is_text) loaded.text = path_or_text;
  loaded.overrides = overrides;
  loaded.model = compile_afresh(loaded, overrides);
  loaded.document =
      is_text ? compose_document(path_or_text, loaded.file) : load_composed_document(path_or_text);
  return loaded;
}

Model recompile(const LoadedScenario& scenario, const std::vector<std::string>& more) {
  std::vector<std::string> overrides = scenario.overrides;
  overrides.insert(overrides.end(), more.begin(), more.end());
  try {
    return compile(scenario_from_document(scenario.document, scenario.file, overrides));
  } catch (const InputError&) {
    // The error again, with the position in the file where it has one.
    compile_afresh(scenario, overrides);
    throw;
  }
}

}  // namespace migrasim
