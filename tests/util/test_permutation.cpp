// The keyed permutation (permutation.hpp) is a bijection with its inverse for
// any size, and its prefixes are uniform random subsets; the binomial draw
// (random.hpp) has the binomial's mean and variance across the range the
// simulation uses, and a uniform integer below a bound is uniform.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "util/permutation.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

std::array<std::uint32_t, 4> keys_from(std::uint32_t entity) {
  Draws draws(StreamKey{99, 0, 0, StreamId::kMovement}, entity);
  return {draws.bits(), draws.bits(), draws.bits(), draws.bits()};
}

TEST(KeyedPermutation, IsABijectionWithItsInverseForEverySize) {
  for (const std::uint64_t n : std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 7, 8, 9, 100, 1000,
                                                          1023, 1024, 1025, 65537, 300000}) {
    const KeyedPermutation perm(n, keys_from(static_cast<std::uint32_t>(n)));
    std::vector<char> seen(n, 0);
    for (std::uint64_t r = 0; r < n; ++r) {
      const std::uint64_t x = perm(r);
      ASSERT_LT(x, n) << "n " << n;
      ASSERT_FALSE(seen[x]) << "n " << n << ": " << x << " twice";
      seen[x] = 1;
      ASSERT_EQ(perm.position_of(x), r) << "n " << n;
    }
  }
}

TEST(KeyedPermutation, WorksAtTheLargestCommunity) {
  // 2^32 - 1 elements: 32 bits, halves of 16.
  const std::uint64_t n = 0xFFFFFFFFull;
  const KeyedPermutation perm(n, keys_from(7));
  for (const std::uint64_t r : std::vector<std::uint64_t>{0, 1, 12345678, n - 2, n - 1}) {
    const std::uint64_t x = perm(r);
    ASSERT_LT(x, n);
    EXPECT_EQ(perm.position_of(x), r);
  }
}

TEST(KeyedPermutation, PrefixesAreUniformSubsets) {
  // Over 4,000 keys, each of 50 elements falls in the first 10 positions with
  // chance 1/5: counts are Binomial(4000, 0.2), sd 25.3; a chi-square over the
  // 50 elements (49 degrees of freedom) stays below 90 but once in 10^5.
  // Pairs: two given elements both in the prefix with chance 10*9/(50*49).
  const std::uint64_t n = 50, prefix = 10;
  const int keys = 4000;
  std::vector<double> in_prefix(n, 0.0);
  double pair_01 = 0.0, first_is_0 = 0.0;
  for (int k = 0; k < keys; ++k) {
    const KeyedPermutation perm(n, keys_from(static_cast<std::uint32_t>(1000 + k)));
    bool has0 = false, has1 = false;
    for (std::uint64_t r = 0; r < prefix; ++r) {
      const std::uint64_t x = perm(r);
      in_prefix[x] += 1.0;
      has0 |= x == 0;
      has1 |= x == 1;
    }
    pair_01 += has0 && has1;
    first_is_0 += perm(0) == 0;
  }
  const double expected = keys * static_cast<double>(prefix) / n;
  double chi2 = 0.0;
  for (const double c : in_prefix) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 90.0);
  const double p_pair = static_cast<double>(prefix * (prefix - 1)) / (n * (n - 1));
  EXPECT_NEAR(pair_01 / keys, p_pair, 5.0 * std::sqrt(p_pair * (1 - p_pair) / keys));
  EXPECT_NEAR(first_is_0 / keys, 1.0 / n, 5.0 * std::sqrt((1.0 / n) * (1 - 1.0 / n) / keys));
}

TEST(Binomial, HasTheMeanAndVarianceOfTheBinomial) {
  // 2,000 draws each: the sample mean within 5 standard errors, the sample
  // variance within 25% (its standard error is about sqrt(2 / 2000) = 3%
  // of it for a near-normal count, more for a skewed one).
  struct Case {
    std::int64_t n;
    double p;
  };
  for (const Case c : {Case{10, 0.3}, Case{1000, 0.001}, Case{1000000, 0.3}, Case{1000000, 0.97},
                       Case{4000000000, 1e-9}, Case{4000000000, 2e-6}, Case{50000000, 0.5}}) {
    const int draws_n = 2000;
    double sum = 0.0, sum2 = 0.0;
    for (int j = 0; j < draws_n; ++j) {
      Draws draws(StreamKey{5, 1, 2, StreamId::kRouteLearning}, static_cast<std::uint32_t>(j));
      const auto x = static_cast<double>(binomial(draws, c.n, c.p));
      ASSERT_GE(x, 0.0);
      ASSERT_LE(x, static_cast<double>(c.n));
      sum += x;
      sum2 += x * x;
    }
    const double mean = static_cast<double>(c.n) * c.p;
    const double var = mean * (1.0 - c.p);
    const double sample_mean = sum / draws_n;
    const double sample_var = (sum2 - sum * sum / draws_n) / (draws_n - 1);
    EXPECT_NEAR(sample_mean, mean, 5.0 * std::sqrt(var / draws_n)) << c.n << ", " << c.p;
    EXPECT_NEAR(sample_var, var, 0.25 * var) << c.n << ", " << c.p;
  }
  Draws draws(StreamKey{5, 1, 2, StreamId::kRouteLearning}, 0);
  EXPECT_EQ(binomial(draws, 0, 0.5), 0);
  EXPECT_EQ(binomial(draws, 10, 0.0), 0);
  EXPECT_EQ(binomial(draws, 10, 1.0), 10);
}

TEST(UniformBelow, IsUniformAndBelowTheBound) {
  // Bound 7 (no power of two: words are rejected): 70,000 draws, chi-square
  // with 6 degrees of freedom below 30 but once in 10^5.
  std::vector<double> counts(7, 0.0);
  for (std::uint32_t e = 0; e < 10000; ++e) {
    Draws draws(StreamKey{3, 0, 1, StreamId::kSmugglerQueue}, e);
    for (int j = 0; j < 7; ++j) {
      const std::uint32_t x = uniform_below(draws, 7);
      ASSERT_LT(x, 7u);
      counts[x] += 1.0;
    }
  }
  double chi2 = 0.0;
  for (const double c : counts) chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
  EXPECT_LT(chi2, 30.0);
  // A bound near 2^32, where half the words would be rejected, and 2^32 and 1.
  Draws draws(StreamKey{3, 0, 2, StreamId::kSmugglerQueue}, 0);
  double high = 0;
  const std::uint64_t big = (std::uint64_t{1} << 31) + 1;
  for (int j = 0; j < 4000; ++j) {
    const std::uint32_t x = uniform_below(draws, big);
    ASSERT_LT(x, big);
    high += x >= big / 2;
  }
  EXPECT_NEAR(high, 2000, 5 * std::sqrt(1000.0));
  EXPECT_EQ(uniform_below(draws, 1), 0u);
  Draws same(StreamKey{3, 0, 2, StreamId::kSmugglerQueue}, 9);
  const std::uint32_t word = Draws(StreamKey{3, 0, 2, StreamId::kSmugglerQueue}, 9).bits();
  EXPECT_EQ(uniform_below(same, std::uint64_t{1} << 32), word);
}

}  // namespace
}  // namespace migrasim
