#!/usr/bin/env bash
# Fuzzes migrasim's input readers with libFuzzer under ASan + UBSan.
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS ...]
#
# Builds the `fuzz` preset (build-fuzz/, clang) incrementally, replays every
# file in tests/fuzz/regressions/HARNESS/, then fuzzes each harness (all of
# build-fuzz/fuzz/fuzz_* by default) for SECONDS (default 600) with the
# dictionary tests/fuzz/yaml.dict. Seeds are gathered afresh on every run:
#   fuzz_scenario  scenarios/{,policies/,observed/}*.yaml, tests/data/*.yaml, tests/data/bad/*.yaml
#   fuzz_override  one file per line of tests/fuzz/override_seeds.txt
#   fuzz_sweep     scenarios/sweeps/*.yaml, tests/data/bad_sweeps/*.yaml
# plus the regressions. What libFuzzer learns is kept in
# build-fuzz/fuzz/corpus/HARNESS/ and reused by the next run, unless
# MIGRASIM_FUZZ_KEEP_CORPUS=0 (test.sh: a short run then starts from the seeds
# alone, so its time does not grow with the corpus).
#
# Exits non-zero if a harness has a finding (a crash, a leak, undefined
# behaviour, an exception other than InputError, an input taking over 10 s or
# 2 GiB); libFuzzer stops at the first. The input is saved under
# build-fuzz/fuzz/artifacts/HARNESS/ and the log under build-fuzz/fuzz/logs/;
# after the fix, keep the input as tests/fuzz/regressions/HARNESS/NAME (and, for
# a scenario file, as a case of tests/data/bad/ with its `# expect:` line).
#
# Environment: MIGRASIM_FUZZ_BUILD (build directory, default build-fuzz),
# MIGRASIM_FUZZ_FLAGS (more libFuzzer flags, e.g. "-jobs=2 -workers=2").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${MIGRASIM_FUZZ_BUILD:-$ROOT/build-fuzz}"
SECONDS_EACH="${1:-600}"
shift || true
if ! [[ "$SECONDS_EACH" =~ ^[0-9]+$ ]]; then
  echo "usage: tests/fuzz/run.sh [SECONDS] [HARNESS ...]" >&2
  exit 2
fi

if [[ ! -f "$BUILD/build.ninja" ]]; then
  if [[ "$BUILD" == "$ROOT/build-fuzz" ]]; then
    (cd "$ROOT" && cmake --preset fuzz >/dev/null)
  else
    echo "migrasim: $BUILD is not configured; configure it with: cmake --preset fuzz" >&2
    exit 2
  fi
fi
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for source in "$ROOT"/tests/fuzz/fuzz_*.cpp; do harnesses+=("$(basename "$source" .cpp)"); done
fi
# Only the harnesses: the rest of the build (the executable) does not run here.
cmake --build "$BUILD" --parallel "$(nproc 2>/dev/null || echo 2)" --target "${harnesses[@]}"
if ((${#harnesses[@]} == 0)); then
  echo "migrasim: no fuzz harnesses in $BUILD/fuzz (was it configured with MIGRASIM_FUZZ=ON?)" >&2
  exit 2
fi

# Leaks are findings; UBSan's reports abort (-fno-sanitize-recover) with a stack.
# Standard input is /dev/null, so that an input such as `extends: /dev/stdin`
# reads nothing instead of waiting on a terminal.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Copies `files` into `dir`, each under a name that keeps its origin visible.
copy_seeds() {
  local dir="$1"
  shift
  local file
  for file in "$@"; do
    [[ -f "$file" ]] || continue
    local name="${file#"$ROOT"/}"
    cp "$file" "$dir/${name//\//_}"
  done
}

gather_seeds() {
  local harness="$1" dir="$2"
  rm -rf "$dir"
  mkdir -p "$dir"
  shopt -s nullglob
  case "$harness" in
    fuzz_scenario)
      copy_seeds "$dir" "$ROOT"/scenarios/*.yaml "$ROOT"/scenarios/policies/*.yaml "$ROOT"/scenarios/observed/*.yaml \
        "$ROOT"/tests/data/*.yaml "$ROOT"/tests/data/bad/*.yaml
      ;;
    fuzz_override)
      local n=0 line
      while IFS= read -r line || [[ -n "$line" ]]; do
        [[ -z "$line" ]] && continue
        printf '%s' "$line" >"$dir/override_$((n++))"
      done <"$ROOT/tests/fuzz/override_seeds.txt"
      ;;
    fuzz_sweep)
      copy_seeds "$dir" "$ROOT"/scenarios/sweeps/*.yaml "$ROOT"/tests/data/bad_sweeps/*.yaml
      ;;
  esac
  copy_seeds "$dir" "$ROOT"/tests/fuzz/regressions/"$harness"/*
  shopt -u nullglob
}

mkdir -p "$BUILD/fuzz/logs"
status=0
for harness in "${harnesses[@]}"; do
  binary="$BUILD/fuzz/$harness"
  corpus="$BUILD/fuzz/corpus/$harness"
  seeds="$BUILD/fuzz/seeds/$harness"
  artifacts="$BUILD/fuzz/artifacts/$harness/"
  [[ "${MIGRASIM_FUZZ_KEEP_CORPUS:-1}" == 0 ]] && corpus="$BUILD/fuzz/corpus/$harness.short" && rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  gather_seeds "$harness" "$seeds"

  shopt -s nullglob
  regressions=("$ROOT"/tests/fuzz/regressions/"$harness"/*)
  shopt -u nullglob
  if ((${#regressions[@]} > 0)); then
    echo "== $harness: replaying ${#regressions[@]} regression input(s)"
    if ! "$binary" -timeout=10 -rss_limit_mb=2048 "${regressions[@]}" </dev/null >"$BUILD/fuzz/logs/$harness.regressions.log" 2>&1; then
      tail -50 "$BUILD/fuzz/logs/$harness.regressions.log" >&2
      echo "migrasim: $harness fails on a regression input (log: $BUILD/fuzz/logs/$harness.regressions.log)" >&2
      status=1
      continue
    fi
  fi

  echo "== $harness: fuzzing for ${SECONDS_EACH} s"
  log="$BUILD/fuzz/logs/$harness.log"
  # shellcheck disable=SC2086  # MIGRASIM_FUZZ_FLAGS is a list of flags
  if "$binary" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
      -dict="$ROOT/tests/fuzz/yaml.dict" -artifact_prefix="$artifacts" -print_final_stats=1 \
      ${MIGRASIM_FUZZ_FLAGS:-} "$corpus" "$seeds" </dev/null >"$log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$log" | tail -2 || true
  else
    tail -60 "$log" >&2
    echo "migrasim: $harness found a problem; input saved under $artifacts (log: $log)" >&2
    status=1
  fi
done
exit $status
