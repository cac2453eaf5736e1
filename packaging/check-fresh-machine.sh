#!/usr/bin/env bash
# Proves the README's two commands work on a clean Debian 12: builds a minimal bookworm
# root with mmdebstrap (from the same Debian mirror this machine uses), copies the
# checkout's tracked files in, and inside it runs, exactly as the README says:
#   packaging/run-tests.sh     (install dependencies, configure, build, CTest)
#   packaging/run-app.sh       (no display: the short headless demo)
# Prints each command it runs; exits non-zero on the first failure.
#
# Downloaded .deb files are kept in $AQUEDUCT_FRESH_CACHE (default
# /var/cache/aqueduct-fresh-machine/) so a rerun needs no download; ccache's directory
# is kept there too, so a rerun does not compile from nothing (the compiler in the root
# is the same package as on the host, so cache hits are real hits). Nothing else of
# this machine is visible inside the root. Needs root (chroot, mounts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
checkout=$PWD

cache=${AQUEDUCT_FRESH_CACHE:-/var/cache/aqueduct-fresh-machine}
suite=bookworm

say() { printf '\n== check-fresh-machine: %s\n' "$*"; }
run() {
    printf '+ %s\n' "$*"
    "$@"
}

if ((EUID != 0)); then
    echo "check-fresh-machine: needs root (mmdebstrap into a chroot, bind mounts)" >&2
    exit 2
fi
if ! command -v mmdebstrap >/dev/null 2>&1; then
    say "installing mmdebstrap on the host"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
fi

# The Debian sources of this machine (deb822 or one-line format), never third-party ones.
sources=$(mktemp)
root=$(mktemp -d /var/tmp/aqueduct-fresh.XXXXXX)
cleanup() {
    # Mounts live in the private namespace below and vanish with it; only files remain.
    rm -rf --one-file-system "$root" "$sources" "$sources.sources" "$sources.list" "$root.tar"
}
trap cleanup EXIT

if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$sources.sources"
    mirror=$sources.sources
elif grep -qs '^deb .*debian' /etc/apt/sources.list; then
    grep '^deb .*debian' /etc/apt/sources.list >"$sources.list"
    mirror=$sources.list
else
    mirror="deb http://deb.debian.org/debian $suite main"
fi

mkdir -p "$cache/debs" "$cache/ccache"
start_s=$SECONDS

# The checkout as it is now (tracked and new, not ignored files), before anything slow.
snapshot=$root.tar
(cd "$checkout" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -c) >"$snapshot"

say "building a clean Debian 12 ($suite, minbase) root in $root"
# minbase: dpkg, apt and the essential packages only, like the smallest Debian install.
# The hooks keep downloaded packages in $cache/debs (the documented mmdebstrap recipe).
run mmdebstrap --variant=minbase --mode=root \
    --skip=essential/unlink \
    --setup-hook="mkdir -p \"\$1\"/var/cache/apt/archives/" \
    --setup-hook="sync-in '$cache/debs' /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives '$cache/debs'" \
    "$suite" "$root" "$mirror"
say "root ready after $((SECONDS - start_s)) s"

# Keep every package install_deps downloads (apt would delete them after installing).
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/01keep-debs"

say "copying the checkout's tracked files to /src"
mkdir -p "$root/src"
tar -x -C "$root/src" -f "$snapshot"

# Inside: a private mount namespace so /proc, /dev and the caches go away with it.
inner=$(
    cat <<'INNER'
set -euo pipefail
root=$1 cache=$2
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777,size=512m tmpfs "$root/dev/shm"
mkdir -p "$root/var/cache/apt/archives" "$root/root/.cache/ccache"
mount --bind "$cache/debs" "$root/var/cache/apt/archives"
mount --bind "$cache/ccache" "$root/root/.cache/ccache"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
in_root() {
    printf '+ (in the clean root, /src) %s\n' "$*"
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        CCACHE_DIR=/root/.cache/ccache /bin/bash -c "cd /src && $*"
}
in_root packaging/run-tests.sh
# The README's run command; without a display it runs its short headless demo.
in_root packaging/run-app.sh
INNER
)
say "running the README's commands in the clean root"
tests_start_s=$SECONDS
unshare --mount --propagation private bash -c "$inner" inner "$root" "$cache"
say "passed: clean root $((tests_start_s - start_s)) s, README commands $((SECONDS - tests_start_s)) s, total $((SECONDS - start_s)) s"
