#include "philox.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "random.hpp"

namespace migrasim {
namespace {

// Known-answer vectors published with Random123 (kat_vectors, philox4x32_10).
TEST(Philox, MatchesRandom123KnownAnswers) {
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                          {0xffffffffu, 0xffffffffu}),
            (PhiloxCounter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                          {0xa4093822u, 0x299f31d0u}),
            (PhiloxCounter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(Philox, IsUsableAtCompileTime) {
  static_assert(philox4x32_10({0, 0, 0, 0}, {0, 0})[0] == 0x6627e8d5u);
}

TEST(Draws, DependOnlyOnTheirKey) {
  const StreamKey key{42, 3, 17, StreamId::kMovement};
  Draws a(key, 99);
  Draws b(key, 99);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.bits(), b.bits());
}

TEST(Draws, DifferInEveryKeyComponent) {
  const StreamKey base{42, 3, 17, StreamId::kMovement};
  const std::uint32_t reference = Draws(base, 99).bits();
  EXPECT_NE(Draws(base, 98).bits(), reference);
  EXPECT_NE(Draws(StreamKey{43, 3, 17, StreamId::kMovement}, 99).bits(), reference);
  EXPECT_NE(Draws(StreamKey{42, 4, 17, StreamId::kMovement}, 99).bits(), reference);
  EXPECT_NE(Draws(StreamKey{42, 3, 18, StreamId::kMovement}, 99).bits(), reference);
  EXPECT_NE(Draws(StreamKey{42, 3, 17, StreamId::kScreening}, 99).bits(), reference);
  // The high half of the seed matters too.
  EXPECT_NE(Draws(StreamKey{42 + (std::uint64_t{1} << 32), 3, 17, StreamId::kMovement}, 99).bits(),
            reference);
}

TEST(Draws, UniformIsStrictlyInsideTheUnitInterval) {
  // Extreme words map inside (0, 1): log() and `u < p` are safe at p = 0 and 1.
  EXPECT_GT((0.0 + 0.5) * 0x1p-32, 0.0);
  EXPECT_LT((4294967295.0 + 0.5) * 0x1p-32, 1.0);
  Draws d(StreamKey{1, 0, 0, StreamId::kDecisions}, 0);
  for (int i = 0; i < 10000; ++i) {
    const double u = d.uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

// Moments of many draws against their exact values, with tolerances of five
// standard errors, so a correct implementation fails about once in 10^6 runs
// (and, being deterministic, never on a given seed once it passes).
TEST(Draws, MomentsMatchTheirDistributions) {
  constexpr int kN = 200000;
  double sum_u = 0, sum_n = 0, sum_n2 = 0, sum_e = 0, sum_g = 0, sum_b = 0;
  for (int i = 0; i < kN; ++i) {
    Draws d(StreamKey{2024, 1, 5, StreamId::kInitialPopulation}, static_cast<std::uint32_t>(i));
    sum_u += d.uniform();
    const double z = d.normal();
    sum_n += z;
    sum_n2 += z * z;
    sum_e += d.exponential();
    sum_g += d.gamma(2.5);
    sum_b += d.beta(2.0, 6.0);
  }
  const double n = kN;
  EXPECT_NEAR(sum_u / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(sum_n / n, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(sum_n2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(sum_e / n, 1.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(sum_g / n, 2.5, 5 * std::sqrt(2.5 / n));
  const double beta_var = 2.0 * 6.0 / (64.0 * 9.0);
  EXPECT_NEAR(sum_b / n, 0.25, 5 * std::sqrt(beta_var / n));
}

TEST(Draws, CategoricalFollowsWeightsAndSkipsZeros) {
  const double weights[4] = {3.0, 0.0, 1.0, 0.0};
  int counts[4] = {0, 0, 0, 0};
  constexpr int kN = 100000;
  for (int i = 0; i < kN; ++i) {
    Draws d(StreamKey{5, 0, 0, StreamId::kMovement}, static_cast<std::uint32_t>(i));
    ++counts[d.categorical(weights, 4.0)];
  }
  EXPECT_EQ(counts[1], 0);
  EXPECT_EQ(counts[3], 0);
  EXPECT_NEAR(counts[0] / double(kN), 0.75, 5 * std::sqrt(0.75 * 0.25 / kN));
}

}  // namespace
}  // namespace migrasim
