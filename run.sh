#!/usr/bin/env bash
# Quick start: ./run.sh runs the baseline scenario into out/baseline.h5 and
# prints a summary. ./run.sh SCENARIO.yaml [migrasim run options] runs another
# (output: out/<scenario name>.h5 unless you pass -o); ./run.sh [options] runs
# the baseline with those options.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools/setup.sh"
migrasim_install_packages
# The executable and the Python module (docs/python.md).
migrasim_build --target migrasim_user_facing >/dev/null
cd "$MIGRASIM_ROOT"
mkdir -p out

if (($# == 0)) || [[ $1 == -* ]]; then
  set -- scenarios/baseline.yaml "$@"
fi

scenario="$1"
shift
for arg in "$@"; do
  if [[ $arg == -o || $arg == --output || $arg == --output=* || $arg == -o* ]]; then
    exec "$MIGRASIM_BUILD/migrasim" run "$scenario" "$@"
  fi
done
name="$(basename "${scenario%.*}")"
exec "$MIGRASIM_BUILD/migrasim" run "$scenario" -o "out/$name.h5" --force "$@"
