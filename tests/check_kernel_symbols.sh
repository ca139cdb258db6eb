#!/usr/bin/env bash
# The per-instruction-set kernel objects (sim/util/kernels/) are compiled with AVX2
# or AVX-512 enabled for the whole file. If one of them defined an inline
# function or template with external linkage (a weak symbol: an inline function
# from a C++ library header, say), the linker could keep that copy for the whole
# program and run AVX-512 code on a CPU without it. Each must define only its
# own entry points, in migrasim::population_kernel, and no weak function (nm's
# W; weak data such as the sanitizers' type descriptors holds no code).
# Usage: check_kernel_symbols.sh OBJECT...
set -euo pipefail
(($# > 0)) || { echo "usage: $0 OBJECT..." >&2; exit 2; }
status=0
for object in "$@"; do
  weak="$(nm "$object" | awk '$2 == "W"')" || true
  if [[ -n "$weak" ]]; then
    echo "$object defines weak functions (shared inline code):" >&2
    echo "$weak" >&2
    status=1
  fi
  defined="$(nm -C --defined-only --extern-only "$object" | awk '$2 == "T"' |
    sed 's/^[0-9a-f]* T //')"
  while IFS= read -r symbol; do
    [[ -z "$symbol" ]] && continue
    if [[ "$symbol" != migrasim::population_kernel::* ]]; then
      echo "$object defines $symbol, outside migrasim::population_kernel" >&2
      status=1
    fi
  done <<<"$defined"
done
exit "$status"
