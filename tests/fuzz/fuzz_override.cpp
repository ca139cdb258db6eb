// libFuzzer harness over `--set` overrides: each line of the input is one
// KEY.PATH=VALUE assignment, applied to tests/data/tiny.yaml by parse_scenario()
// (through apply_override()) before the result is compiled.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"

namespace {

const std::string kFile = MIGRASIM_SOURCE_DIR "/tests/data/tiny.yaml";

// More assignments only repeat what a few already reach.
constexpr std::size_t kMaxAssignments = 8;

const std::string& tiny_text() {
  static const std::string text = [] {
    std::ifstream in(kFile, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    if (out.str().empty()) {
      std::fprintf(stderr, "cannot read %s\n", kFile.c_str());
      std::abort();
    }
    return out.str();
  }();
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> assignments;
  std::string line;
  for (std::size_t i = 0; i < size && assignments.size() < kMaxAssignments; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n') {
      assignments.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty() && assignments.size() < kMaxAssignments) assignments.push_back(line);
  migrasim::fuzz::expect_only_input_errors([&] {
    const migrasim::Scenario scenario = migrasim::parse_scenario(tiny_text(), kFile, assignments);
    const migrasim::Model model = migrasim::compile(scenario);
  });
  return 0;
}
