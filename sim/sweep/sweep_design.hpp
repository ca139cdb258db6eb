// The members of a sweep: each one's parameter values and seed, from the sweep
// file alone (never from which thread or rank runs it), so any number of ranks
// and threads, and any interruption and resumption, give the same members.
//
// Designs:
//   grid             the Cartesian product of each parameter's levels, the
//                    last parameter varying fastest;
//   latin_hypercube  `samples` members; each parameter's range is cut into
//                    `samples` equal-probability strata, each stratum used
//                    once, strata paired across parameters by keyed random
//                    permutations, a keyed uniform position inside each;
//   sobol            Saltelli's scheme for first- and total-order indices:
//                    N = `samples` base points of a 2k-dimensional Sobol
//                    sequence (Joe-Kuo directions, Boost.Random; randomized
//                    by a digital shift keyed by the seed) split into
//                    A (first k coordinates) and B (last k); for each base
//                    point j the members A_j, AB_j^1 ... AB_j^k, B_j in that
//                    order (AB^i is A with column i from B) - the order of
//                    SALib's saltelli.sample(calc_second_order=False), so
//                    N (k + 2) members.
// A range maps a unit coordinate u to low + u (high - low), or for log_uniform
// to low (high/low)^u.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "input/sweep_spec.hpp"

namespace migrasim {

struct SweepPlan {
  std::uint32_t members = 0;
  std::uint32_t parameters = 0;
  std::vector<double> values;        // member-major: values[m * parameters + p]
  std::vector<std::uint64_t> seeds;  // per member, below 2^53

  double value(std::uint32_t member, std::uint32_t parameter) const {
    return values[static_cast<std::size_t>(member) * parameters + parameter];
  }
};

SweepPlan plan_sweep(const SweepSpec& spec);

// The scenario overrides that make member `member`: the sweep's fixed `set`
// entries, then one "key=value" per parameter (values printed so that they
// read back as the same double).
std::vector<std::string> member_overrides(const SweepSpec& spec, const SweepPlan& plan,
                                          std::uint32_t member);

// "key=value" for one parameter value, as member_overrides writes it.
std::string parameter_override(const SweepParameter& parameter, double value);

}  // namespace migrasim
