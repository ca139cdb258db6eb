#!/usr/bin/env bash
# Ensemble benchmark: simulations (whole replicates of the baseline, output
# included) per second with 1 thread and with 2, replicates one after another
# with their agents split across the threads (--parallel agents) and side by
# side, one per thread (--parallel runs), at 10,000 and 100,000 agents.
#
# Usage: tests/bench/ensemble.sh [REPEATS] [REPLICATES] [AGENTS...]
# The configurations alternate within each repeat, so a slow spell of a shared
# machine hits them alike. Prints one line per run (wall and CPU seconds, the
# load average) and the medians per configuration, with simulations per second
# and the speed-up over 1 thread.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="${MIGRASIM_BINARY:-$root/build/migrasim}"
repeats="${1:-3}"
replicates="${2:-10}"
shift 2 || shift $# || true
agents=("${@:-10000 100000}")
read -r -a agents <<<"${agents[*]}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
configs=("1 agents" "2 agents" "2 runs")

printf '%-8s %-8s %-8s %-4s %9s %9s %6s\n' agents threads parallel run wall_s cpu_s load
for ((k = 1; k <= repeats; ++k)); do
  for n in "${agents[@]}"; do
    for config in "${configs[@]}"; do
      read -r threads parallel <<<"$config"
      /usr/bin/env time -f '%e %U %S' -o "$tmp/time" "$binary" run "$root/scenarios/baseline.yaml" \
        -o "$tmp/run.h5" --force --quiet --replicates "$replicates" --set population.agents="$n" \
        --threads "$threads" --parallel "$parallel"
      read -r wall user system <"$tmp/time"
      cpu="$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }')"
      load="$(cut -d' ' -f1 /proc/loadavg)"
      printf '%-8s %-8s %-8s %-4s %9s %9s %6s\n' "$n" "$threads" "$parallel" "$k" "$wall" "$cpu" "$load" |
        tee -a "$tmp/runs"
    done
  done
done

echo
printf '%-8s %-8s %-8s %12s %12s %14s %10s\n' agents threads parallel "median wall" "median cpu" \
  "simulations/s" speed-up
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for n in "${agents[@]}"; do
  one=""
  for config in "${configs[@]}"; do
    read -r threads parallel <<<"$config"
    rows="$(awk -v n="$n" -v t="$threads" -v p="$parallel" '$1 == n && $2 == t && $3 == p' "$tmp/runs")"
    wall="$(awk '{ print $5 }' <<<"$rows" | median)"
    cpu="$(awk '{ print $6 }' <<<"$rows" | median)"
    [[ -z "$one" ]] && one="$wall"
    awk -v n="$n" -v t="$threads" -v p="$parallel" -v w="$wall" -v c="$cpu" -v r="$replicates" \
      -v o="$one" 'BEGIN { printf "%-8s %-8s %-8s %12.2f %12.2f %14.3f %10.2f\n", n, t, p, w, c, r / w, o / w }'
  done
done
