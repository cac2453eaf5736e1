#!/usr/bin/env bash
# Builds the .deb from a configured and built build dir (default build-ci), installs it
# on this machine (root or sudo), checks the installed files, runs an installed example
# pipeline headless, builds the installed example plugin against the installed SDK and
# runs it, then removes the package. Used by .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${1:-build-ci}

echo "=== packaging: cpack -G DEB"
(cd "$build_dir" && cpack -G DEB)
deb=$(ls -t "$build_dir"/aqueduct_*.deb | head -n 1)
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"

as_root=()
if ((EUID != 0)); then
    as_root=(sudo -n)
fi
echo "=== packaging: install $deb"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --reinstall "$(realpath "$deb")"

echo "=== packaging: installed files"
desktop-file-validate /usr/share/applications/io.github.aqueduct.Aqueduct.desktop
appstreamcli validate --no-net /usr/share/metainfo/io.github.aqueduct.Aqueduct.metainfo.xml
test -s /usr/share/man/man1/aqueduct.1.gz
test -s /usr/share/icons/hicolor/scalable/apps/io.github.aqueduct.Aqueduct.svg
test -s /usr/share/icons/hicolor/256x256/apps/io.github.aqueduct.Aqueduct.png
aqueduct --version
aqueduct --help >/dev/null
for command in run serve validate handlers; do
    aqueduct "$command" --help >/dev/null
done
aqueduct validate /usr/share/aqueduct/pipelines/*.json
aqueduct handlers >/dev/null

echo "=== packaging: headless run of an installed example pipeline"
aqueduct run /usr/share/aqueduct/pipelines/one-step.json --generate 1000 --output /dev/null

echo "=== packaging: plugin SDK from the package (installed example plugin sources)"
plugin_work=$(mktemp -d)
trap 'rm -rf "$plugin_work"' EXIT
cp -r /usr/share/doc/aqueduct/examples/text_plugin "$plugin_work/src"
cmake -S "$plugin_work/src" -B "$plugin_work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$plugin_work/build"
AQUEDUCT_PLUGIN_PATH="$plugin_work/build" aqueduct handlers >"$plugin_work/handlers.txt"
grep -q reverse_string "$plugin_work/handlers.txt"
AQUEDUCT_PLUGIN_PATH="$plugin_work/build" aqueduct run "$plugin_work/src/text-pipeline.json" \
    --input "$plugin_work/src/tasks.jsonl" --output "$plugin_work/results.jsonl" --ordered --quiet
grep -q '"reversed": *"dlrow olleh"' "$plugin_work/results.jsonl"

echo "=== packaging: purge"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y aqueduct
test ! -e /usr/bin/aqueduct
echo "packaging: OK"
