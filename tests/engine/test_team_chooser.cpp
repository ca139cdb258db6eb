// The choice of a replicate's team by timing its steps (engine/team_chooser.hpp).
#include <gtest/gtest.h>

#include <functional>

#include "engine/team_chooser.hpp"

namespace migrasim {
namespace {

// Runs `steps` steps whose duration on a team of n threads is seconds(n),
// and returns how many of them ran on one thread.
int steps_on_one_thread(TeamChooser& chooser, int steps,
                        const std::function<double(int)>& seconds) {
  int on_one = 0;
  for (int k = 0; k < steps; ++k) {
    const int team = chooser.team();
    on_one += team == 1;
    chooser.step_took(seconds(team));
  }
  return on_one;
}

TEST(TeamChooser, OneThreadHasNothingToChoose) {
  TeamChooser chooser(1);
  EXPECT_EQ(steps_on_one_thread(chooser, 1000, [](int) { return 1.0; }), 1000);
}

TEST(TeamChooser, KeepsAllThreadsWhenTheyAreFaster) {
  TeamChooser chooser(2);
  EXPECT_EQ(chooser.team(), 2);  // the first block runs on all threads
  const int on_one = steps_on_one_thread(chooser, 1000, [](int n) { return n == 2 ? 0.6 : 1.0; });
  // One thread only in its tries: a block after the first, then one block in
  // every kBlocksBetweenTries + 1.
  const int blocks = 1000 / TeamChooser::kBlockSteps;
  EXPECT_LE(on_one,
            TeamChooser::kBlockSteps * (1 + blocks / (TeamChooser::kBlocksBetweenTries + 1)));
  EXPECT_GT(on_one, 0);
}

TEST(TeamChooser, TakesOneThreadWhenItIsFasterAndComesBackWhenThatChanges) {
  TeamChooser chooser(4);
  bool idle = true;  // waking sleeping threads costs more than they give
  const auto seconds = [&](int n) { return idle ? (n == 1 ? 1.0 : 1.5) : (n == 1 ? 1.0 : 0.4); };
  steps_on_one_thread(chooser, 2 * TeamChooser::kBlockSteps, seconds);  // all, then one
  const int steps = 800;
  EXPECT_GE(steps_on_one_thread(chooser, steps, seconds),
            steps - steps / (TeamChooser::kBlocksBetweenTries + 1) - TeamChooser::kBlockSteps);
  // The work grows: all threads win their next try and are kept.
  idle = false;
  steps_on_one_thread(chooser, (TeamChooser::kBlocksBetweenTries + 2) * TeamChooser::kBlockSteps,
                      seconds);
  EXPECT_LE(steps_on_one_thread(chooser, steps, seconds),
            steps / (TeamChooser::kBlocksBetweenTries + 1) + TeamChooser::kBlockSteps);
}

}  // namespace
}  // namespace migrasim
