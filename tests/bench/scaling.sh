#!/usr/bin/env bash
# Thread scaling: `migrasim bench` at 1, 2, 4, ... threads up to all cores, the
# same agents each time, REPEATS runs per thread count in rotation (so a slow
# spell of the machine hits every count alike). Prints a table of medians with
# the speed-up and parallel efficiency over 1 thread, and writes every run's
# JSON to OUT/scaling.jsonl and the medians to OUT/scaling.csv (and, where
# matplotlib is installed, the curve to OUT/scaling.png).
#
# Usage: tests/bench/scaling.sh [-a AGENTS] [-r REPEATS] [-t MAX_THREADS] [-s STEPS] [-o OUT]
#   defaults: 10,000,000 agents, 5 repeats, all physical cores, 100 timed steps, OUT=scaling-out
# Threads are pinned one per core (OMP_PLACES=cores, OMP_PROC_BIND=close)
# unless OMP_PLACES or OMP_PROC_BIND is already set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="${MIGRASIM_BINARY:-$root/build/migrasim}"
agents=10000000 repeats=5 steps=100 out=scaling-out
# Physical cores, not hardware threads: with OMP_PLACES=cores, more threads than
# cores would share them.
max_threads="$(lscpu -p=core,socket 2>/dev/null | grep -v '^#' | sort -u | wc -l)"
((max_threads > 0)) || max_threads="$(nproc)"
while getopts "a:r:t:s:o:h" opt; do
  case "$opt" in
    a) agents="$OPTARG" ;;
    r) repeats="$OPTARG" ;;
    t) max_threads="$OPTARG" ;;
    s) steps="$OPTARG" ;;
    o) out="$OPTARG" ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
[[ -x "$binary" ]] || { echo "scaling.sh: $binary not found: build first (./run.sh builds)" >&2; exit 2; }
mkdir -p "$out"
: >"$out/scaling.jsonl"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-ACTIVE}"
if [[ -z "${OMP_PLACES:-}${OMP_PROC_BIND:-}" ]]; then export OMP_PLACES=cores OMP_PROC_BIND=close; fi

counts=()
for ((t = 1; t < max_threads; t *= 2)); do counts+=("$t"); done
counts+=("$max_threads")

echo "migrasim bench scaling: $agents agents, $steps timed steps, ${counts[*]} threads, $repeats repeats" >&2
echo "machine: $max_threads physical cores, $(nproc) online CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" >&2
for ((k = 1; k <= repeats; ++k)); do
  for t in "${counts[@]}"; do
    "$binary" bench --agents "$agents" --steps "$steps" --threads "$t" --json >>"$out/scaling.jsonl"
    echo "  run $k, $t threads: done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  done
done

/usr/bin/python3 - "$out" <<'EOF'
import json, statistics, sys, pathlib
out = pathlib.Path(sys.argv[1])
runs = [json.loads(line) for line in (out / "scaling.jsonl").read_text().splitlines() if line.strip()]
by_threads = {}
for r in runs:
    by_threads.setdefault(r["threads"], []).append(r)
rows = []
for t in sorted(by_threads):
    rs = by_threads[t]
    rate = statistics.median(r["agent_steps_per_second"] for r in rs)
    rows.append({
        "threads": t,
        "runs": len(rs),
        "agent_steps_per_second": rate,
        "setup_seconds": statistics.median(r["setup_seconds"] for r in rs),
        "fraction_of_rmw": statistics.median(r.get("machine", {}).get("fraction_of_rmw", float("nan")) for r in rs),
    })
base = rows[0]["agent_steps_per_second"] if rows and rows[0]["threads"] == 1 else float("nan")
print(f"{'threads':>7} {'runs':>4} {'M agent-steps/s':>16} {'speed-up':>9} {'efficiency':>10} {'set-up s':>9} {'of RMW':>7}")
for r in rows:
    r["speedup"] = r["agent_steps_per_second"] / base
    r["efficiency"] = r["speedup"] / r["threads"]
    print(f"{r['threads']:>7} {r['runs']:>4} {r['agent_steps_per_second'] / 1e6:>16.0f} {r['speedup']:>9.2f} "
          f"{r['efficiency']:>10.2f} {r['setup_seconds']:>9.2f} {r['fraction_of_rmw']:>7.2f}")
with open(out / "scaling.csv", "w") as f:
    keys = list(rows[0].keys())
    f.write(",".join(keys) + "\n")
    for r in rows:
        f.write(",".join(str(r[k]) for k in keys) + "\n")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
fig, ax = plt.subplots(figsize=(5, 3.5))
ts = [r["threads"] for r in rows]
ax.plot(ts, [r["agent_steps_per_second"] / 1e6 for r in rows], "o-", label="measured (median)")
ax.plot(ts, [base / 1e6 * t for t in ts], "--", color="grey", label="linear from 1 thread")
ax.set_xlabel("threads")
ax.set_ylabel("M agent-steps per second")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.legend()
ax.set_title(f"migrasim bench, {runs[0]['agents']:,} agents")
fig.tight_layout()
fig.savefig(out / "scaling.png", dpi=120)
EOF
