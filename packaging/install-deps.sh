#!/usr/bin/env bash
# Installs every Debian 12 package Aqueduct needs to build, run, test and package.
# Idempotent: does nothing (not even `apt-get update`) when everything is present.
# Works as root, or through sudo for a normal user. Never asks a question.
set -euo pipefail

packages=(
    # toolchain
    g++ cmake ninja-build ccache pkgconf file clang-format
    # libraries: Qt 6 (Core/Gui/Widgets/Network/Test in qt6-base-dev), Charts, Svg,
    # HttpServer, QCoro, Boost (Interprocess is header-only), OpenGL headers for QtGui
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev qt6-httpserver-dev
    qt6-websockets-dev qcoro-qt6-dev libboost-dev libgl-dev
    # qt6-charts-dev's CMake config requires Qt6OpenGL; with --no-install-recommends
    # nothing else brings it in
    libqt6opengl6-dev
    # runtime: the xcb and offscreen platform plugins, SVG icon loading
    qt6-qpa-plugins libqt6svg6
    # tests: virtual display, screenshots, promtool (Prometheus parser), python3 (peer
    # benchmark), curl + wrk (serve mode), desktop and AppStream validators
    xvfb xauth imagemagick librsvg2-bin prometheus python3 curl wrk
    desktop-file-utils appstream
    # tests/cluster/replicas_test.sh: the load balancer in front of serve replicas
    haproxy
    # deploy/check.sh: node runs the offline Kubernetes schema validator (npm packages
    # kubernetes-models, installed by the script into its cache); npm: see below
    nodejs
    # vision plugin (handlers/vision): OpenCV 4.6 core, imgproc, imgcodecs, dnn only;
    # python3-numpy/-onnx/-opencv for the model script, the reference check and the
    # classify benchmark's Python peer
    libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-dnn-dev
    python3-numpy python3-onnx python3-opencv
    # packaging: cpack -G DEB with dpkg-shlibdeps
    dpkg-dev fakeroot
)
# Debian's npm, unless an npm is already there (NodeSource's nodejs bundles its own and
# conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
    packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
run_as_root=()
if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
        run_as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
        # -n fails fast instead of prompting when no terminal can answer; fall back to a
        # prompting sudo when one can.
        if ! sudo -n true 2>/dev/null; then
            if [[ -t 0 ]]; then
                run_as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
            else
                echo "install-deps: need root to install packages (sudo asks for a password)" >&2
                exit 1
            fi
        fi
    else
        echo "install-deps: not root and sudo is missing; install as root: ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive

"${run_as_root[@]}" apt-get update -q
"${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
