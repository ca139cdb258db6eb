// A sweep file: which scenario to vary, which of its scalar keys, how to choose
// the members (grid, Latin hypercube or Sobol/Saltelli), how many replicates
// each, and which outputs to keep. Read strictly, like a scenario: every error
// names file:line:column and the key path.
//
//   scenario: ../baseline.yaml        # relative to the sweep file
//   design: sobol                     # grid | latin_hypercube | sobol
//   samples: 64                       # sobol: base samples N; latin_hypercube: members
//   replicates: 2                     # per member
//   seed: 7
//   set: {population.agents: 20000}   # fixed overrides for every member
//   parameters:
//     - {name: midpoint, key: information.route_awareness.midpoint_date_shift, range: [0, 1]}
//   outputs:
//     - {name: encounters_fy2023, series: border_encounters,
//        window: [2022-10-01, 2023-09-30], reduce: sum}
//     - {name: deaths_jungle, series: edge_deaths, at: {edge: hub->jungle}, reduce: sum}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "input/composition.hpp"
#include "input/place.hpp"
#include "util/dates.hpp"

namespace migrasim {

enum class SweepDesign { kGrid, kLatinHypercube, kSobol };
enum class Distribution { kUniform, kLogUniform, kValues };
enum class Reduction { kPerStep, kSum, kMean, kLast, kMax };
enum class MemberSeeds { kPerMember, kCommon };

struct SweepParameter {
  std::string name;      // the output variable holding its value per member
  std::string key_path;  // a scalar key of the scenario, as for --set
  std::string units = "1";
  Distribution distribution = Distribution::kUniform;
  double lower = 0.0, upper = 0.0;  // range (uniform, log-uniform)
  int levels = 0;                   // grid over a range: evenly spaced levels
  std::vector<double> values;       // grid over a list
  bool integer = false;             // round each value to the nearest integer
  std::string location;             // file:line:column of the entry
};

struct SweepOutput {
  std::string name;             // output variable name
  std::string series;           // a scalar series of a run (see docs/output.md), checked by Sweep
  std::string series_location;  // "file:line:column: key.path" of the series, for that check
  TargetPlace at;               // one node, edge, checkpoint or network of a series with that axis
  std::optional<Date> window_start, window_end;  // steps whose start lies inside
  Reduction reduction = Reduction::kPerStep;
  std::string location;
};

struct SweepSpec {
  std::string file;  // the sweep file as the user named it
  std::string text;  // its text, kept in the output
  std::string name;
  std::string scenario_path;  // resolved against the sweep file's folder
  std::string scenario_location;
  SweepDesign design = SweepDesign::kGrid;
  std::uint32_t samples = 0;  // sobol: base samples N; latin_hypercube: members
  std::uint32_t replicates = 1;
  std::uint64_t seed = 0;
  MemberSeeds seeds = MemberSeeds::kPerMember;
  std::vector<std::string> fixed_overrides;  // "key=value", from `set`
  std::string set_location;                  // file:line:column of `set`
  std::vector<SweepParameter> parameters;
  std::vector<SweepOutput> outputs;
};

// Reads and checks a sweep file (not the scenario it names). Throws InputError.
SweepSpec load_sweep(const std::string& path);
SweepSpec parse_sweep(const std::string& text, const std::string& file);

const char* to_string(SweepDesign design);
const char* to_string(Distribution distribution);
const char* to_string(Reduction reduction);

}  // namespace migrasim
