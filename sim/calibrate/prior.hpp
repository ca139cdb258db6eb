// Prior distributions over one scalar, in the space the perturbation kernel
// works in: the logarithm for a log-uniform prior (a rate uncertain by a factor
// is perturbed by factors), the value itself otherwise. Densities are in that
// space, so importance weights need no Jacobian.
#pragma once

#include "input/calibration_spec.hpp"
#include "util/random.hpp"

namespace migrasim {

// The kernel-space coordinate of a value, and back.
double to_kernel_space(const PriorSpec& prior, double value);
double from_kernel_space(const PriorSpec& prior, double z);

// log density of the prior at kernel-space point z (-inf outside the support),
// up to a constant that is the same for every z.
double prior_log_density(const PriorSpec& prior, double z);

// A value drawn from the prior (natural space), from `draws`.
double sample_prior(const PriorSpec& prior, Draws& draws);

// A standard normal draw (Box-Muller; one of the pair is used).
double standard_normal(Draws& draws);

}  // namespace migrasim
