# Shared by run.sh and test.sh: install missing Debian packages, then configure
# and build incrementally. Sourced, not executed.

MIGRASIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRASIM_BUILD="${MIGRASIM_BUILD:-$MIGRASIM_ROOT/build}"

# Everything the project needs, from Debian's archive.
MIGRASIM_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libyaml-cpp-dev libhdf5-dev hdf5-tools libeigen3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-h5py python3-xarray python3-netcdf4 python3-h5netcdf
  python3-pandas python3-matplotlib python3-scipy python3-pytest python3-yaml python3-openturns time chromium
  python3-plotly esbuild   # the compare report's figures; esbuild minifies the plotly.js it embeds
  pybind11-dev python3-pybind11 python3-dev
  libboost-dev libopenmpi-dev openmpi-bin clang clang-format libclang-rt-dev libomp-dev libsleef-dev
)

migrasim_install_packages() {
  local missing=()
  for p in "${MIGRASIM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "migrasim: installing ${missing[*]}" >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

migrasim_build() {
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  if [[ ! -f "$MIGRASIM_BUILD/build.ninja" ]]; then
    cmake -S "$MIGRASIM_ROOT" -B "$MIGRASIM_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$MIGRASIM_BUILD" --parallel "$jobs" "$@"
}
