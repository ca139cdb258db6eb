// A scenario loaded for Python (migrasim.load): the composed document, kept so
// that overrides can be applied again without reading any file (what
// migrasim.simulator does on every call), and the model compiled from it.
#pragma once

#include <string>
#include <vector>

#include "input/composition.hpp"
#include "model/model.hpp"

namespace migrasim {

struct LoadedScenario {
  ComposedDocument document;
  std::string file;                    // the path as given, or kTextFileName
  std::string text;                    // the document, when given as text
  std::vector<std::string> overrides;  // "key.path=value", as --set takes them
  Model model;
};

// The name errors and the output's scenario_file give a scenario passed as text.
inline constexpr const char* kTextFileName = "<string>";

// Reads the scenario file at `path`, or the YAML document `text` (with
// `is_text`; an `extends:` in it is relative to the working directory), applies
// `overrides` and compiles it. Throws InputError, as `migrasim validate` reports.
LoadedScenario load_for_python(const std::string& path_or_text, bool is_text,
                               const std::vector<std::string>& overrides);

// The model of `scenario` with `more` overrides after its own; no file is read
// unless they make it invalid (to locate the error in the file).
Model recompile(const LoadedScenario& scenario, const std::vector<std::string>& more);

}  // namespace migrasim
