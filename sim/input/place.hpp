// The place a series is read at, for calibration targets and sweep outputs:
// the whole corridor, or one entity of a series with that entity's axis
// (`at: {node: border}`, `at: {edge: hub->jungle}`). Names are checked
// against the scenario when the series is resolved (model/series_at.hpp).
#pragma once

#include <string>

namespace migrasim {

class YamlField;

struct TargetPlace {
  std::string kind;  // "" (the whole corridor), "node", "edge", "checkpoint", "network"
  std::string name;
  std::string location;  // "file:line:column: key.path" of the entity's name
};

// Reads `at: {KIND: NAME}`; throws InputError for another shape or kind.
TargetPlace read_place(const YamlField& field);

}  // namespace migrasim
