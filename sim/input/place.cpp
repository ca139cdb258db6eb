#include "input/place.hpp"

#include <set>

#include "input/yaml_input.hpp"

namespace migrasim {

TargetPlace read_place(const YamlField& field) {
  const YamlMap at(field);
  TargetPlace place;
  const auto entries = at.entries();
  if (entries.size() != 1)
    field.fail("expected one of {node: NAME}, {edge: NAME}, {checkpoint: NAME}, {network: NAME}");
  const auto& entry = entries.front();
  static const std::set<std::string> kinds{"node", "edge", "checkpoint", "network"};
  if (!kinds.count(entry.key)) {
    entry.key_field.fail("unknown kind of place '" + entry.key +
                         "'; expected node, edge, checkpoint or network");
  }
  place.kind = entry.key;
  place.name = entry.value.string();
  place.location = entry.value.location() + ": " + entry.value.path();
  return place;
}

}  // namespace migrasim
