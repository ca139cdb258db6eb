#!/usr/bin/env bash
# The layers of sim/ may use only the layers below them:
#   util -> input -> model -> engine -> output -> sweep -> calibrate -> cli -> python
# Two checks: every #include "layer/..." in sim/ and tests/ names a layer at or
# below the including file's own (tests may use any); and the build's include
# roots refuse an upward include (a file of each layer that includes the
# header of the layer above must fail to compile with that layer's flags).
#
#   tests/check_layers.sh SOURCE_DIR LAYER_ROOT CXX [EXTRA_INCLUDE_DIR ...]
set -euo pipefail
source_dir="$1"
layer_root="$2"
cxx="$3"
shift 3
extra=()
for dir in "$@"; do extra+=("-I$dir"); done
layers=(util input model engine output sweep calibrate cli python)

rank() {
  local i
  for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && echo "$i" && return; done
  echo -1
}

status=0
upward=0
for dir in "${layers[@]}"; do
  own=$(rank "$dir")
  while IFS= read -r line; do
    file="${line%%:*}"
    used="$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")"
    r=$(rank "$used")
    if ((r < 0)); then
      echo "check_layers: $line: not a layer path" >&2
      status=1
    elif ((r > own)); then
      echo "check_layers: $file (layer $dir) includes from layer $used above it" >&2
      upward=$((upward + 1))
    fi
  done < <(grep -rHn '#include "' "$source_dir/sim/$dir" --include='*.hpp' --include='*.cpp' | grep -v '#include "[a-z_]*\.hpp"' || true)
done
echo "check_layers: $upward include(s) run up a layer"
((upward == 0)) || status=1

# The compiler enforces it too: each layer's include roots see no layer above.
# Every header is preprocessed alone with its layer's roots (cheap, and it
# follows every include down). A header must also compile alone: one that its
# own .cpp includes first is compiled alone by the build itself, with the same
# roots (the release build; the sanitizer preset's unity files do not), so only
# the header-only ones are compiled here, several at a time.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
jobs="$(nproc 2>/dev/null || echo 2)"
pids=()
wait_oldest() {
  wait "${pids[0]}" || status=1
  pids=("${pids[@]:1}")
}
stands_alone() {  # mode layer header flags...: the header preprocesses (-E) or compiles alone
  local mode="$1" own="$2" name="$3"
  shift 3
  local unit="$scratch/$own-$name.cpp"
  printf '#include "%s/%s"\n' "$own" "$name" >"$unit"
  if ! "$cxx" -std=c++20 "$mode" "$@" "$unit" >/dev/null; then
    echo "check_layers: $own/$name does not stand alone with layer $own's include roots" >&2
    return 1
  fi
}
compiled_by_own_source() {  # layer header: its .cpp includes it first
  local source="$source_dir/sim/$1/${2%.hpp}.cpp"
  [[ -f "$source" ]] && [[ "$(grep -m1 '#include' "$source")" == "#include \"$1/$2\"" ]]
}
compiled_alone=0
for i in $(seq 0 $((${#layers[@]} - 2))); do
  flags=()
  for j in $(seq 0 "$i"); do flags+=("-I$layer_root/${layers[$j]}"); done
  flags+=("-I$layer_root/generated" "${extra[@]}")
  own="${layers[$i]}"
  above="${layers[$((i + 1))]}"
  # Control: the layer's own headers stand alone with these flags...
  for header in "$source_dir/sim/$own"/*.hpp; do
    name="$(basename "$header")"
    mode=-fsyntax-only
    if compiled_by_own_source "$own" "$name"; then mode=-E; else compiled_alone=$((compiled_alone + 1)); fi
    stands_alone "$mode" "$own" "$name" "${flags[@]}" &
    pids+=($!)
    ((${#pids[@]} < jobs)) || wait_oldest
  done
  # ...and a header of the layer above does not.
  header="$(basename "$(ls "$source_dir/sim/$above"/*.hpp | head -1)")"
  printf '#include "%s/%s"\n' "$above" "$header" >"$scratch/upward-$own.cpp"
  if "$cxx" -std=c++20 -E "${flags[@]}" "$scratch/upward-$own.cpp" >/dev/null 2>&1; then
    echo "check_layers: layer $own can include $above/$header" >&2
    status=1
  fi
done
while ((${#pids[@]} > 0)); do wait_oldest; done
echo "check_layers: $compiled_alone header-only header(s) compiled alone; the rest by their own source"
exit $status
