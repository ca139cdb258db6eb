#!/usr/bin/env bash
# Runs every test: the C++ formatting check (clang-format, .clang-format), the
# C++ suite through ctest, the Python suite through pytest, then the C++ unit
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer and a short
# run of each fuzzer (docs/reliability.md). Exits non-zero on any failure.
#
# MIGRASIM_SKIP_SANITIZERS=1 skips the sanitizer build, its tests and the fuzzers;
# MIGRASIM_FUZZ_SECONDS sets each fuzzer's time (default 5).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools/setup.sh"
migrasim_install_packages
migrasim_build --target migrasim_test_targets
cd "$MIGRASIM_ROOT"

status=0
mapfile -t cxx_files < <(find sim tests -name '*.cpp' -o -name '*.hpp' | sort)
if ! clang-format --dry-run --Werror "${cxx_files[@]}"; then
  echo "test.sh: the files above are not formatted; run: clang-format -i \$(find sim tests -name '*.[ch]pp')" >&2
  status=1
fi

ctest --test-dir "$MIGRASIM_BUILD" --output-on-failure --timeout 300 -j "$(nproc 2>/dev/null || echo 2)" || status=1

# The Python tests run beside the sanitizer build and tests below: they use the
# release build, and mostly one core. Their output is printed at the end.
pytest_pid=""
pytest_log="$(mktemp)"
trap 'rm -f "$pytest_log"' EXIT
if compgen -G "analysis/tests/test_*.py" >/dev/null; then
  # Test runs share two cores: OpenMP threads waiting at a barrier must sleep.
  OMP_WAIT_POLICY=PASSIVE MIGRASIM_BINARY="$MIGRASIM_BUILD/migrasim" \
    /usr/bin/python3 -m pytest -q analysis/tests >"$pytest_log" 2>&1 &
  pytest_pid=$!
fi
finish_pytest() {
  [[ -n "$pytest_pid" ]] || return 0
  wait "$pytest_pid" || status=1
  pytest_pid=""
  echo "== pytest (analysis/tests)"
  cat "$pytest_log"
}

if [[ "${MIGRASIM_SKIP_SANITIZERS:-0}" != 1 ]]; then
  # One clang build (the `fuzz` preset) serves the unit tests and the fuzzers.
  sanitized="$MIGRASIM_ROOT/build-fuzz"
  [[ -f "$sanitized/build.ninja" ]] || cmake --preset fuzz >/dev/null
  # Only what runs under the sanitizers: the unit tests and the fuzz harnesses.
  mapfile -t harnesses < <(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
  cmake --build "$sanitized" --parallel "$(nproc 2>/dev/null || echo 2)" \
    --target migrasim_tests "${harnesses[@]}"
  # End-to-end tests run the executable (suites Cli*, SweepCli*, Signals, Reliability,
  # Bench), Python (*Xarray*) or the compiler (Layers); the release run above covers them.
  end_to_end='(^|/)(Cli|SweepCli)[A-Za-z]*\.|(^|/)(Signals|Reliability|Bench|Layers)\.|Xarray'
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    ctest --test-dir "$sanitized" --output-on-failure --timeout 300 -j "$(nproc 2>/dev/null || echo 2)" \
    -E "$end_to_end" || status=1
  MIGRASIM_FUZZ_KEEP_CORPUS=0 tests/fuzz/run.sh "${MIGRASIM_FUZZ_SECONDS:-5}" || status=1
fi
finish_pytest
exit $status
