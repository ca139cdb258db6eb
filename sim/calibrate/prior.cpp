#include "calibrate/prior.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "util/errors.hpp"

namespace migrasim {
namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

// Marsaglia and Tsang (2000); shape < 1 by Gamma(shape + 1) * U^(1/shape).
double standard_gamma(double shape, Draws& draws) {
  if (shape < 1.0)
    return standard_gamma(shape + 1.0, draws) * std::pow(draws.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0, v = 0.0;
    do {
      x = standard_normal(draws);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = draws.uniform();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

}  // namespace

double standard_normal(Draws& draws) {
  const double u1 = draws.uniform();
  const double u2 = draws.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double to_kernel_space(const PriorSpec& prior, double value) {
  return prior.kind == PriorKind::kLogUniform ? std::log(value) : value;
}

double from_kernel_space(const PriorSpec& prior, double z) {
  return prior.kind == PriorKind::kLogUniform ? std::exp(z) : z;
}

double prior_log_density(const PriorSpec& p, double z) {
  if (!std::isfinite(z)) return kMinusInfinity;
  switch (p.kind) {
    case PriorKind::kUniform:
      return z >= p.lower && z <= p.upper ? -std::log(p.upper - p.lower) : kMinusInfinity;
    case PriorKind::kLogUniform: {
      const double lo = std::log(p.lower), hi = std::log(p.upper);
      return z >= lo && z <= hi ? -std::log(hi - lo) : kMinusInfinity;
    }
    case PriorKind::kNormal:
    case PriorKind::kTruncatedNormal: {
      if (z < p.lower || z > p.upper) return kMinusInfinity;
      const double u = (z - p.mean) / p.sd;
      return -0.5 * u * u - std::log(p.sd);
    }
    case PriorKind::kBeta: {
      const double u = (z - p.lower) / (p.upper - p.lower);
      if (!(u > 0.0 && u < 1.0)) return kMinusInfinity;
      return (p.alpha - 1.0) * std::log(u) + (p.beta - 1.0) * std::log1p(-u);
    }
  }
  return kMinusInfinity;
}

double sample_prior(const PriorSpec& p, Draws& draws) {
  switch (p.kind) {
    case PriorKind::kUniform:
      return p.lower + draws.uniform() * (p.upper - p.lower);
    case PriorKind::kLogUniform:
      return p.lower * std::pow(p.upper / p.lower, draws.uniform());
    case PriorKind::kNormal:
      return p.mean + p.sd * standard_normal(draws);
    case PriorKind::kTruncatedNormal:
      // The reader refuses a window holding under 0.1% of the mass, so this
      // ends after about 1,000 tries at worst.
      for (int tries = 0; tries < 1'000'000; ++tries) {
        const double x = p.mean + p.sd * standard_normal(draws);
        if (x >= p.lower && x <= p.upper) return x;
      }
      throw InputError("truncated_normal prior: no draw fell inside its range");
    case PriorKind::kBeta: {
      const double a = standard_gamma(p.alpha, draws);
      const double b = standard_gamma(p.beta, draws);
      return p.lower + (p.upper - p.lower) * (a / (a + b));
    }
  }
  return 0.0;
}

}  // namespace migrasim
