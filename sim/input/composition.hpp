// Scenarios that build on other scenarios.
//
// A scenario file may begin with `extends: other.yaml` (a path relative to the
// file itself). The other file is read first (and what it extends, in turn),
// then this file is laid over it:
//   - mappings merge key by key;
//   - lists whose entries all have a `name` merge by name: an entry with a name
//     already there changes only the keys it gives, a new name is appended;
//   - any other value (a scalar, a list without names) replaces the inherited one.
// So a policy scenario states only what it changes. Errors in a key that came
// from an extending file name that file, line and column.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "input/yaml_input.hpp"

namespace migrasim {

struct ComposedDocument {
  YAML::Node root;                     // the merged document, without `extends`
  std::shared_ptr<YamlSource> source;  // positions: the base file, plus what others set
  std::vector<std::pair<std::string, std::string>> files;  // (path, text), base first
};

// Composes the document `text` read from `file`. Throws InputError.
ComposedDocument compose_document(const std::string& text, const std::string& file);

// Reads `path` and composes it. Throws InputError.
ComposedDocument load_composed_document(const std::string& path);

}  // namespace migrasim
