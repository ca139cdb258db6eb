// libFuzzer harness over the scenario loader: the input is a scenario file's
// text, read by parse_scenario() and compiled by compile().
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"

namespace {

// Named as if it lay in scenarios/policies/, so that `extends: ../baseline.yaml`
// in the policy seeds finds the shipped baseline and merging is fuzzed too.
const std::string kFile = MIGRASIM_SOURCE_DIR "/scenarios/policies/fuzz_input.yaml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  migrasim::fuzz::expect_only_input_errors([&] {
    const migrasim::Scenario scenario = migrasim::parse_scenario(text, kFile);
    const migrasim::Model model = migrasim::compile(scenario);
  });
  return 0;
}
