// How many threads a replicate's steps use, chosen while it runs by timing
// them: all of the process's threads, or one.
//
// Threads that wait between parallel regions sleep (cli/openmp_wait.hpp), so
// that beside a busy process two threads are not slower than one. On an idle
// machine the price is a wake-up per region: about 60 microseconds on the
// 2-core development machine (a virtual machine), and a step has a dozen or
// more regions, so a replicate of a few million agents, whose step takes a
// few milliseconds, ran slower on two threads than on one. Which team is
// faster depends on the machine, its load and the phase of the run, none of
// which is known in advance; but a step gives the same bits for any number
// of threads, so the team may change between any two steps. The chooser
// times blocks of steps and tries the other team for a block now and then
// (the load, and a step's work, change), taking it when its block was faster
// than the chosen team's blocks on either side.
#pragma once

namespace migrasim {

class TeamChooser {
 public:
  // Steps per timed block, and blocks with the chosen team between two tries
  // of the other.
  static constexpr int kBlockSteps = 8;
  static constexpr int kBlocksBetweenTries = 16;

  // `most`: the threads the replicate may use (1: nothing to choose).
  explicit TeamChooser(int most) : most_(most < 1 ? 1 : most), current_(most_) {}

  // The team for the next step.
  int team() const { return current_; }

  // The last step, with team(), took `seconds`.
  void step_took(double seconds) {
    if (most_ == 1) return;
    block_seconds_ += seconds;
    if (++block_steps_ < kBlockSteps) return;
    const double per_step = block_seconds_ / block_steps_;
    block_seconds_ = 0.0;
    block_steps_ = 0;
    switch (phase_) {
      case Phase::kRunning:
        before_ = per_step;
        if (first_block_ || ++blocks_since_try_ >= kBlocksBetweenTries) {
          first_block_ = false;
          phase_ = Phase::kTrying;
          current_ = other();
        }
        return;
      case Phase::kTrying:
        tried_ = per_step;
        phase_ = Phase::kAfterTry;
        current_ = other();
        return;
      case Phase::kAfterTry:
        // A step's cost drifts as the run goes on: the try is weighed against
        // the blocks on either side of it.
        if (tried_ < 0.5 * (before_ + per_step)) current_ = other();
        before_ = per_step;
        blocks_since_try_ = 0;
        phase_ = Phase::kRunning;
        return;
    }
  }

 private:
  enum class Phase { kRunning, kTrying, kAfterTry };
  int other() const { return current_ == most_ ? 1 : most_; }

  int most_;
  int current_;
  Phase phase_ = Phase::kRunning;
  double before_ = 0.0;  // seconds per step of the chosen team's last block
  double tried_ = 0.0;   // ... and of the other team's try
  double block_seconds_ = 0.0;
  int block_steps_ = 0;
  int blocks_since_try_ = 0;
  bool first_block_ = true;
};

}  // namespace migrasim
