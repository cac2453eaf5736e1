#!/usr/bin/env bash
# Builds and starts the desktop app on a fresh Debian 12 machine: installs the build
# dependencies, configures and builds the "release" preset, then opens the example
# pipeline (or the file given). Without a display the app runs a short headless demo.
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
cmake --preset release "${configure_args[@]}"
cmake --build --preset release --target aqueduct

if (($# == 0)); then
    set -- resources/pipelines/three-step.json
fi
exec build/app/aqueduct "$@"
