// Shared by the libFuzzer harnesses: what counts as a finding.
//
// InputError is how the loaders answer bad input, so it is expected and
// swallowed. Any other exception escaping is a finding: it is reported with its
// type and message, then the harness aborts so libFuzzer keeps the input.
// Crashes, leaks and undefined behaviour are caught by the sanitizers.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>

#include "util/errors.hpp"

namespace migrasim::fuzz {

template <typename Body>
void expect_only_input_errors(Body&& body) {
  try {
    body();
  } catch (const InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "unexpected exception of a type not derived from std::exception\n");
    std::abort();
  }
}

}  // namespace migrasim::fuzz
