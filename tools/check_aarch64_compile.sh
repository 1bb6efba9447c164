#!/usr/bin/env bash
# Cross-compile every kernel family for aarch64 (64-bit Arm), to check that the
# C the Cython kernels generate, and the headers in kernels/, compile there.
# Nothing is linked or run: this is the "builds" half of the aarch64 promise in
# the README. Needs Debian's gcc-aarch64-linux-gnu and libc6-dev-arm64-cross
# (installed here if missing) and a previous build of this tree (kernels/*.c).
#
#   bash tools/check_aarch64_compile.sh [python]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-python3}"
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || [ ! -d /usr/aarch64-linux-gnu/include ]; then
    SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi
ls kernels/*.c >/dev/null 2>&1 || { echo "no kernels/*.c: build the tree first (pip install -e .)"; exit 1; }
# Python's and NumPy's headers of this (x86-64) interpreter: LP64 like aarch64, so the
# type sizes they assume hold there too.
PYINC=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
NPINC=$("$PY" -c "import numpy; print(numpy.get_include())")
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for c in kernels/*.c; do
    t0=$(date +%s)
    aarch64-linux-gnu-gcc -c -O2 -fPIC -fopenmp -ffp-contract=off -fno-math-errno \
        -fno-trapping-math -Wno-psabi -Wno-unused-function -DCYTHON_COMPRESS_STRINGS=0 \
        -I"$PYINC" -I"$NPINC" -Ikernels "$c" -o "$OUT/$(basename "$c" .c).o"
    echo "ok $c ($(( $(date +%s) - t0 )) s): $(file -b "$OUT/$(basename "$c" .c).o" | cut -d, -f1-2)"
done
aarch64-linux-gnu-gcc --version | head -1
