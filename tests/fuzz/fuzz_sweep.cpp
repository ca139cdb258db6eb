// libFuzzer harness over the sweep-file reader: the input is a sweep file's
// text, read by parse_sweep(); a small enough design is then planned and its
// first members' overrides written out, as `migrasim sweep` does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "input/sweep_spec.hpp"
#include "sweep/sweep_design.hpp"

namespace {

// Named as if it lay in scenarios/sweeps/, beside the shipped sweeps.
const std::string kFile = MIGRASIM_SOURCE_DIR "/scenarios/sweeps/fuzz_input.yaml";

// Larger designs repeat the same code many times over and only slow fuzzing.
constexpr std::int64_t kMaxPlannedMembers = 4096;

std::int64_t member_count(const migrasim::SweepSpec& spec) {
  switch (spec.design) {
    case migrasim::SweepDesign::kGrid: {
      std::int64_t members = 1;
      for (const migrasim::SweepParameter& p : spec.parameters) {
        members *= p.distribution == migrasim::Distribution::kValues
                       ? static_cast<std::int64_t>(p.values.size())
                       : p.levels;
        if (members > kMaxPlannedMembers) return members;
      }
      return members;
    }
    case migrasim::SweepDesign::kLatinHypercube:
      return spec.samples;
    case migrasim::SweepDesign::kSobol:
      return static_cast<std::int64_t>(spec.samples) *
             static_cast<std::int64_t>(spec.parameters.size() + 2);
  }
  return kMaxPlannedMembers + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  migrasim::fuzz::expect_only_input_errors([&] {
    const migrasim::SweepSpec spec = migrasim::parse_sweep(text, kFile);
    if (member_count(spec) > kMaxPlannedMembers) return;
    const migrasim::SweepPlan plan = migrasim::plan_sweep(spec);
    for (std::uint32_t m = 0; m < plan.members && m < 4; ++m) {
      migrasim::member_overrides(spec, plan, m);
    }
  });
  return 0;
}
