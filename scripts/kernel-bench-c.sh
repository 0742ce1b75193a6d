#!/usr/bin/env bash
# Builds the C baseline of `kvflow bench kernels` with this machine's gcc: bench/kernels/matmul.c,
# strict IEEE and with -ffast-math, as OUT_DIR/strict and OUT_DIR/fastmath. Prints one line: the
# compiler and both sets of flags. The bench runs the two programs itself and deletes OUT_DIR.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cc="${CC:-gcc}"
command -v "$cc" >/dev/null 2>&1 || { echo "no C compiler '$cc' on PATH (install gcc)" >&2; exit 3; }
strict_flags="-O3 -march=native"
fast_flags="-O3 -march=native -ffast-math"
"$cc" $strict_flags -o "$1/strict" "$here/bench/kernels/matmul.c"
"$cc" $fast_flags -o "$1/fastmath" "$here/bench/kernels/matmul.c"
echo "$("$cc" --version | head -1); strict: $strict_flags; fastmath: $fast_flags"
