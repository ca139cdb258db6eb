#!/usr/bin/env bash
# Whole-run benchmark: agent-steps per second and memory per agent for the
# baseline scenario at 1M and 10M agents with 1 and 2 threads, without output
# cost dominating (one replicate, a year of daily steps; the file is ~100 kB).
#
# Usage: tests/bench/whole_run.sh [REPEATS] [AGENTS...]
# Prints one line per run and the median of REPEATS runs per configuration.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="${MIGRASIM_BINARY:-$root/build/migrasim}"
repeats="${1:-3}"
shift || true
agents=("${@:-1000000 10000000}")
read -r -a agents <<<"${agents[*]}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

printf '%-10s %-8s %-6s %14s %12s %14s\n' agents threads run "agent-steps/s" seconds "peak RSS B/agent"
for n in "${agents[@]}"; do
  for threads in 1 2; do
    rates=()
    for ((k = 1; k <= repeats; ++k)); do
      out="$(OMP_WAIT_POLICY=PASSIVE /usr/bin/env time -f '%M' -o "$tmp/rss" "$binary" run \
        "$root/scenarios/baseline.yaml" -o "$tmp/run.h5" --force --threads "$threads" --replicates 1 \
        --set population.agents="$n" --set time.end=2021-12-31 2>&1)"
      rate="$(sed -n 's/.* s, \([0-9.]*\) M agent-steps\/s.*/\1/p' <<<"$out")"
      seconds="$(sed -n 's/.* in \([0-9.]*\) s, .*/\1/p' <<<"$out")"
      rss_kib="$(tail -n 1 "$tmp/rss")"
      bytes="$(awk -v k="$rss_kib" -v n="$n" 'BEGIN { printf "%.1f", k * 1024 / n }')"
      printf '%-10s %-8s %-6s %12s M %12s %14s\n' "$n" "$threads" "$k" "$rate" "$seconds" "$bytes"
      rates+=("$rate")
    done
    median="$(printf '%s\n' "${rates[@]}" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
    printf '%-10s %-8s %-6s %12s M   (median of %d)\n' "$n" "$threads" median "$median" "$repeats"
  done
done
