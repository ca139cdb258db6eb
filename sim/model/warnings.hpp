// Legal but suspicious settings: an intervention that cannot act given the
// rest of the scenario, a place no traveller can reach, a rule that is never
// in force. `migrasim validate` and `migrasim run` print them; they never stop
// a run (docs/scenarios.md, "Warnings").
#pragma once

#include <string>
#include <vector>

#include "input/scenario.hpp"
#include "model/model.hpp"

namespace migrasim {

struct ScenarioWarning {
  std::string location;  // "file:line:column" of the entry
  std::string key;       // its key path, e.g. interventions[2]
  std::string message;
  std::string text() const { return location + ": " + key + ": " + message; }
};

// Every warning about `scenario`, compiled into `model`, in file order.
std::vector<ScenarioWarning> find_warnings(const Scenario& scenario, const Model& model);

}  // namespace migrasim
