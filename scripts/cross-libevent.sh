#!/bin/sh
# libevent-dev for another architecture, unpacked into DIR (Debian 12's and
# 13's are alike):
# its headers (event2/event-config.h differs between architectures, which
# is why the package is not Multi-Arch: same and cannot be installed beside
# this machine's) and links to the libraries of the installed
# libevent-*:ARCH packages, which are.
# Usage: scripts/cross-libevent.sh ARCH DIR
set -eu
arch=$1
dir=$2
triplet=$(dpkg-architecture -a"$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
lib=/usr/lib/$triplet
if [ ! -e "$lib/libevent_core-2.1.so.7" ]; then
	echo "error: $lib/libevent_core-2.1.so.7 is missing: scripts/install-deps.sh cross $arch installs it" >&2
	exit 1
fi
# The headers must match the installed libraries (libevent-core-2.1-7, or
# on Debian 13 libevent-core-2.1-7t64).
pkg=$(dpkg -S "$lib/libevent_core-2.1.so.7" | sed -n 's/^\([^:]*\):.*/\1/p' | head -n 1)
version=$(dpkg-query -W -f='${Version}' "$pkg:$arch")
tmp=$(mktemp -d)
chown _apt "$tmp" 2>/dev/null || true # apt-get download writes as _apt
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "libevent-dev:$arch=$version" >/dev/null) || {
	echo "error: apt-get download libevent-dev:$arch=$version failed (is the archive reachable?)" >&2
	exit 1
}
rm -rf "$dir.new"
mkdir -p "$dir.new"
dpkg-deb -x "$tmp"/libevent-dev_*.deb "$dir.new"
# The package's links point beside themselves; make them point at the
# installed libraries instead.
for so in "$dir.new/usr/lib/$triplet"/*.so; do
	ln -sf "$lib/$(readlink "$so")" "$so"
done
rm -rf "$dir"
mv "$dir.new" "$dir"
