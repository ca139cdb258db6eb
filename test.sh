#!/usr/bin/env bash
# Runs every test: the C++ suite through ctest, the Python suite through pytest.
# Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools/setup.sh"
migrasim_install_packages
migrasim_build
cd "$MIGRASIM_ROOT"

status=0
ctest --test-dir "$MIGRASIM_BUILD" --output-on-failure --timeout 300 -j "$(nproc 2>/dev/null || echo 2)" || status=1

if compgen -G "analysis/tests/test_*.py" >/dev/null; then
  # Test runs share two cores: OpenMP threads waiting at a barrier must sleep.
  OMP_WAIT_POLICY=PASSIVE MIGRASIM_BINARY="$MIGRASIM_BUILD/migrasim" /usr/bin/python3 -m pytest -q analysis/tests || status=1
fi
exit $status
