#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs the build dependencies,
# configures the "ci" preset (warnings are errors), builds everything and runs CTest.
# Extra arguments go to ctest, e.g. `packaging/run-tests.sh -L slow` or `-R engine/`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packaging/install-deps.sh

configure_args=()
if command -v ccache >/dev/null 2>&1; then
    configure_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    # Paths relative to the checkout, so a fresh clone (CI) reuses earlier builds' cache.
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
    export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
fi
cmake --preset ci "${configure_args[@]}"
cmake --build --preset ci
# Tests that need a display run on Qt's offscreen platform (set per test by CMake).
ctest --preset ci -j2 "$@"
