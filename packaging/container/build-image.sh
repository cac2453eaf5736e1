#!/usr/bin/env bash
# Builds packaging/container/Containerfile with buildah and runs the image once, on a
# machine without a registry or a container engine daemon:
#   1. the Debian 12 base image is made locally with mmdebstrap (minbase, from this
#      machine's Debian mirror), unless AQUEDUCT_CONTAINER_BASE names one;
#   2. `buildah bud --isolation chroot` builds the Containerfile with the project's .deb
#      (from BUILD_DIR, made with cpack -G DEB when missing);
#   3. the image runs `aqueduct serve` (the installed three-step pipeline) as its non-root
#      user with a 256 MiB /dev/shm: POST /v1/process, /healthz (and /readyz when the serve
#      has it) answer, SIGTERM ends it with status 0; then with the container runtimes'
#      default 64 MiB /dev/shm, where its 85 MiB of shared memory do not fit: it must not
#      keep serving (today: SIGBUS; a serve that checks the room first exits with an error).
#
#   packaging/container/build-image.sh [BUILD_DIR]      (default build-ci; root needed)
#
# Cache: $AQUEDUCT_CONTAINER_CACHE (default /var/cache/aqueduct-container): the base
# tarball and buildah's own storage (vfs), so nothing of the host's container storage is
# touched. Downloaded .debs are shared with check-fresh-machine.sh
# (/var/cache/aqueduct-fresh-machine/debs). AQUEDUCT_CONTAINER_REUSE=1 runs the checks on
# the image of the previous build. Prints each step; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build_dir=$(realpath "${1:-build-ci}")
cache=${AQUEDUCT_CONTAINER_CACHE:-/var/cache/aqueduct-container}
debs=${AQUEDUCT_FRESH_CACHE:-/var/cache/aqueduct-fresh-machine}/debs
image=localhost/aqueduct:check

say() { printf '\n== build-image: %s\n' "$*"; }
run() {
    printf '+ %s\n' "$*"
    "$@"
}
if ((EUID != 0)); then
    echo "build-image: needs root (mmdebstrap, buildah with chroot isolation)" >&2
    exit 2
fi
missing=()
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
if ((${#missing[@]} > 0)); then
    say "installing ${missing[*]} on the host"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
mkdir -p "$cache" "$debs"
buildah=(buildah --root "$cache/storage" --runroot "$cache/run" --storage-driver vfs)
start_s=$SECONDS
context=$(mktemp -d)
containers=()
serve_pid=
cleanup() {
    # A serve still running (a check failed): stop it, then its buildah.
    if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2>/dev/null; then
        kill -TERM "$(find_serve)" 2>/dev/null || true
        sleep 1
        kill -TERM "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    for container in "${containers[@]}"; do
        "${buildah[@]}" rm "$container" >/dev/null 2>&1 || true
    done
    rm -rf "$context"
}
trap cleanup EXIT

# --- the .deb ------------------------------------------------------------------------------
deb=$(ls -t "$build_dir"/aqueduct_*.deb 2>/dev/null | head -n 1 || true)
if [[ -z "$deb" ]]; then
    say "no .deb in $build_dir: cpack -G DEB"
    (cd "$build_dir" && run cpack -G DEB)
    deb=$(ls -t "$build_dir"/aqueduct_*.deb | head -n 1)
fi
say "package: $deb"
cp "$deb" "$context/"
cp packaging/container/Containerfile "$context/"

# --- the base image ------------------------------------------------------------------------
base=${AQUEDUCT_CONTAINER_BASE:-}
if [[ -z "$base" ]]; then
    base=localhost/aqueduct-base:bookworm
    if ! "${buildah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
        if [[ ! -s "$cache/bookworm-base.tar" ]]; then
            say "making a Debian 12 (bookworm, minbase) base with mmdebstrap"
            sources=/etc/apt/sources.list.d/debian.sources
            [[ -f "$sources" ]] || sources="deb http://deb.debian.org/debian bookworm main"
            run mmdebstrap --variant=minbase --mode=root --skip=essential/unlink \
                --setup-hook="mkdir -p \"\$1\"/var/cache/apt/archives/" \
                --setup-hook="sync-in '$debs' /var/cache/apt/archives/" \
                --customize-hook="sync-out /var/cache/apt/archives '$debs'" \
                --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
                bookworm "$cache/bookworm-base.tar.part" "$sources"
            mv "$cache/bookworm-base.tar.part" "$cache/bookworm-base.tar"
        fi
        say "importing the base tarball as $base"
        container=$("${buildah[@]}" from scratch)
        containers+=("$container")
        root=$("${buildah[@]}" mount "$container")
        tar -x -C "$root" -f "$cache/bookworm-base.tar"
        "${buildah[@]}" umount "$container" >/dev/null
        "${buildah[@]}" config --cmd /bin/bash --env LANG=C.UTF-8 "$container"
        "${buildah[@]}" commit -q "$container" "$base" >/dev/null
    fi
fi

# --- the image -----------------------------------------------------------------------------
if [[ "${AQUEDUCT_CONTAINER_REUSE:-0}" == 1 ]] && "${buildah[@]}" inspect --type image "$image" >/dev/null 2>&1; then
    say "AQUEDUCT_CONTAINER_REUSE=1: using the existing $image"
else
    say "buildah bud (base $base)"
    # The .deb cache is mounted for apt during RUN only: it is not part of the image.
    run "${buildah[@]}" bud --isolation chroot --layers=false \
        --build-arg "BASE=$base" \
        --volume "$debs:/var/cache/apt/archives" \
        -f "$context/Containerfile" -t "$image" "$context"
fi
"${buildah[@]}" inspect --type image --format 'user {{.OCIv1.Config.User}}, entrypoint {{.OCIv1.Config.Entrypoint}}, cmd {{.OCIv1.Config.Cmd}}' "$image"
size=$("${buildah[@]}" images --format '{{.Size}}' "$image")
say "image $image: $size"

# --- run it ----------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
container=$("${buildah[@]}" from "$image")
containers+=("$container")
log=$context/serve.log
pipeline=/usr/share/aqueduct/pipelines/three-step.json

# run_serve SHM_SIZE: `aqueduct serve` of the installed three-step pipeline (64 MiB arena,
# 21 MiB control segment), as the image's user, with /dev/shm a tmpfs of that size. Chroot isolation shares the host's network (loopback works) and its /dev/shm,
# so the tmpfs is mounted over /dev/shm in a private mount namespace around buildah.
run_serve() {
    unshare --mount --propagation private bash -c '
        shm_size=$1
        shift
        mount -t tmpfs -o "size=$shm_size,mode=1777" aqueduct-shm /dev/shm && exec "$@"' \
        run_serve "$1" "${buildah[@]}" run --isolation chroot --user 10001:10001 "$container" -- \
        aqueduct serve "$pipeline" --listen "127.0.0.1:$port" >"$log" 2>&1 &
    serve_pid=$!
}
find_serve() { # the aqueduct parent inside the container (buildah run is its ancestor)
    # Anchored: buildah's own command line holds the same words.
    pgrep -o -f "^/usr/bin/aqueduct serve $pipeline --listen 127.0.0.1:$port"
}

say "run with /dev/shm 256 MiB as user 10001: POST /v1/process, /healthz, /readyz, SIGTERM"
run_serve 256m
for _ in $(seq 300); do
    grep -q 'listening on' "$log" && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$log" >&2; echo "build-image: serve exited" >&2; exit 1; }
    sleep 0.1
done
grep -q 'listening on' "$log" || { cat "$log" >&2; echo "build-image: serve did not listen" >&2; exit 1; }
answer=$(curl -sf -d '{"value": 41}' "http://127.0.0.1:$port/v1/process")
echo "POST /v1/process -> $answer"
[[ "$answer" == *'"value":42'* && "$answer" == *'"status":"done"'* ]]
echo "GET /healthz -> $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")"
readyz=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")
echo "GET /readyz -> $readyz"
server=$(find_serve)
echo "aqueduct serve runs as uid $(awk '/^Uid:/ { print $2 }' "/proc/$server/status")"
[[ "$(awk '/^Uid:/ { print $2 }' "/proc/$server/status")" == 10001 ]]
kill -TERM "$server"
status=0
wait "$serve_pid" || status=$?
serve_pid=
echo "exit status after SIGTERM: $status"
((status == 0))

say "run with the runtimes' default /dev/shm (64 MiB): 64 MiB arena + 21 MiB control do not fit"
run_serve 64m
status=0
for _ in $(seq 150); do
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$(find_serve)" 2>/dev/null || true
    wait "$serve_pid" || true
    sed 's/^/    /' "$log"
    echo "build-image: serve kept running 15 s with a 64 MiB /dev/shm: the sizing advice is wrong" >&2
    exit 1
fi
wait "$serve_pid" || status=$?
serve_pid=
echo "ended within 15 s, exit status $status (of buildah run); its output:"
sed 's/^/    /' "$log"
((status != 0))

say "passed in $((SECONDS - start_s)) s"
