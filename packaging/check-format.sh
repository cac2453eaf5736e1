#!/usr/bin/env bash
# Fails when a tracked C++ file is not formatted as .clang-format says. Fix with:
#   clang-format -i $(git ls-files '*.cpp' '*.h')
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null 2>&1 || packaging/install-deps.sh
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if ! clang-format --dry-run --Werror "${files[@]}"; then
    echo "check-format: the files above are not clang-formatted (clang-format -i FILE)" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files formatted"
