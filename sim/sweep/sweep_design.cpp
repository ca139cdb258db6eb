#include "sweep/sweep_design.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "util/errors.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

double from_unit(const SweepParameter& p, double u) {
  double x = p.distribution == Distribution::kLogUniform ? p.lower * std::pow(p.upper / p.lower, u)
                                                         : p.lower + u * (p.upper - p.lower);
  if (u <= 0.0) x = p.lower;
  if (u >= 1.0) x = p.upper;
  return p.integer ? std::nearbyint(x) : x;
}

// The levels of one grid axis, low to high as written.
std::vector<double> grid_levels(const SweepParameter& p) {
  if (p.distribution == Distribution::kValues) {
    std::vector<double> levels = p.values;
    if (p.integer) {
      for (double& v : levels) v = std::nearbyint(v);
    }
    return levels;
  }
  std::vector<double> levels;
  for (int i = 0; i < p.levels; ++i) {
    levels.push_back(from_unit(p, static_cast<double>(i) / (p.levels - 1)));
  }
  return levels;
}

void plan_grid(const SweepSpec& spec, SweepPlan& plan) {
  std::vector<std::vector<double>> axes;
  std::size_t members = 1;
  for (const SweepParameter& p : spec.parameters) {
    axes.push_back(grid_levels(p));
    std::vector<double> sorted = axes.back();
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      throw InputError(p.location + ": parameters (" + p.name +
                       "): rounding to whole numbers makes grid levels repeat; use fewer levels or "
                       "a wider range");
    }
    members *= axes.back().size();
  }
  plan.members = static_cast<std::uint32_t>(members);
  plan.values.resize(members * plan.parameters);
  for (std::size_t m = 0; m < members; ++m) {
    std::size_t rest = m;
    for (std::size_t p = plan.parameters; p-- > 0;) {  // last parameter fastest
      plan.values[m * plan.parameters + p] = axes[p][rest % axes[p].size()];
      rest /= axes[p].size();
    }
  }
}

void plan_latin_hypercube(const SweepSpec& spec, SweepPlan& plan) {
  const std::uint32_t n = spec.samples;
  plan.members = n;
  plan.values.resize(static_cast<std::size_t>(n) * plan.parameters);
  std::vector<std::uint32_t> stratum(n);
  for (std::uint32_t p = 0; p < plan.parameters; ++p) {
    Draws draws(StreamKey{spec.seed, 0, 0, StreamId::kSweepDesign}, p);
    std::iota(stratum.begin(), stratum.end(), 0u);
    for (std::uint32_t i = n - 1; i > 0; --i) {  // Fisher-Yates
      const auto j = static_cast<std::uint32_t>(draws.uniform() * (i + 1));
      std::swap(stratum[i], stratum[std::min(j, i)]);
    }
    for (std::uint32_t m = 0; m < n; ++m) {
      const double u = (stratum[m] + draws.uniform()) / n;
      plan.values[static_cast<std::size_t>(m) * plan.parameters + p] =
          from_unit(spec.parameters[p], u);
    }
  }
}

void plan_sobol(const SweepSpec& spec, SweepPlan& plan) {
  const std::uint32_t k = plan.parameters;
  const std::uint32_t n = spec.samples;
  plan.members = n * (k + 2);
  plan.values.resize(static_cast<std::size_t>(plan.members) * k);
  // A random digital shift, keyed by the sweep seed, per coordinate: the
  // points keep the sequence's even spread, and coordinates that coincide in
  // the plain sequence (the first point is 1/2 in all of them) no longer do -
  // a column equal in A and B would leave a block with AB^i = A, blind to
  // parameter i.
  const std::uint32_t dimensions = 2 * k;
  std::vector<std::uint64_t> shift(dimensions);
  for (std::uint32_t d = 0; d < dimensions; ++d) {
    Draws draws(StreamKey{spec.seed, 0, 1, StreamId::kSweepDesign}, d);
    const std::uint64_t high = draws.bits();
    shift[d] = (high << 32) | draws.bits();
  }
  // Boost's engine skips the sequence's all-zero first point.
  boost::random::sobol sequence(dimensions);
  std::vector<double> a(k), b(k);
  std::uint32_t d = 0;
  const auto unit = [&] {
    const std::uint64_t x = sequence() ^ shift[d];
    d = (d + 1) % dimensions;
    return static_cast<double>(x >> 11) * 0x1p-53;
  };
  for (std::uint32_t j = 0; j < n; ++j) {
    for (std::uint32_t p = 0; p < k; ++p) a[p] = unit();
    for (std::uint32_t p = 0; p < k; ++p) b[p] = unit();
    const std::size_t block = static_cast<std::size_t>(j) * (k + 2);
    for (std::uint32_t row = 0; row < k + 2; ++row) {
      for (std::uint32_t p = 0; p < k; ++p) {
        // Row 0: A; rows 1..k: A with column row-1 from B; row k+1: B.
        const bool from_b = row == k + 1 || row == p + 1;
        plan.values[(block + row) * k + p] = from_unit(spec.parameters[p], from_b ? b[p] : a[p]);
      }
    }
  }
}

}  // namespace

SweepPlan plan_sweep(const SweepSpec& spec) {
  SweepPlan plan;
  plan.parameters = static_cast<std::uint32_t>(spec.parameters.size());
  switch (spec.design) {
    case SweepDesign::kGrid:
      plan_grid(spec, plan);
      break;
    case SweepDesign::kLatinHypercube:
      plan_latin_hypercube(spec, plan);
      break;
    case SweepDesign::kSobol:
      plan_sobol(spec, plan);
      break;
  }
  plan.seeds.resize(plan.members);
  for (std::uint32_t m = 0; m < plan.members; ++m) {
    if (spec.seeds == MemberSeeds::kCommon) {
      plan.seeds[m] = spec.seed;
      continue;
    }
    Draws draws(StreamKey{spec.seed, 0, 0, StreamId::kSweepMemberSeeds}, m);
    const std::uint64_t high = draws.bits();
    const std::uint64_t low = draws.bits();
    plan.seeds[m] = ((high << 32) | low) >> 11;  // 53 bits: exact as a double in the file
  }
  return plan;
}

std::string parameter_override(const SweepParameter& parameter, double value) {
  char text[64];
  if (parameter.integer || (value == std::nearbyint(value) && std::fabs(value) < 1e15)) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.17g", value);
  }
  return parameter.key_path + "=" + text;
}

std::vector<std::string> member_overrides(const SweepSpec& spec, const SweepPlan& plan,
                                          std::uint32_t member) {
  std::vector<std::string> overrides = spec.fixed_overrides;
  for (std::uint32_t p = 0; p < plan.parameters; ++p) {
    overrides.push_back(parameter_override(spec.parameters[p], plan.value(member, p)));
  }
  return overrides;
}

}  // namespace migrasim
