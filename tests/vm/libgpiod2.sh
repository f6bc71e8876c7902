#!/bin/sh
# Build libgpiod 2.x, the version Debian 13 and Raspberry Pi OS trixie ship,
# from Debian 13's source package, as a static library in the cache, so the
# VM tests can run the daemon's libgpiod 2.x shim too on this Debian 12
# machine. The source comes from the Debian archive this machine already
# uses; nothing of it is kept in this repository.
#
# Usage: tests/vm/libgpiod2.sh CACHE_DIR   (prints the install prefix)
set -eu
cache=$1
suite=${LIBGPIOD2_SUITE:-trixie}
prefix=$cache/libgpiod2
say() { echo "vm: $*" >&2; }

if [ -f "$prefix/ready" ]; then
	echo "$prefix"
	exit 0
fi
work=$cache/libgpiod2-src
rm -rf "$work" "$prefix"
mkdir -p "$work/lists/partial"

# The main archive's address, as apt knows it (not the security or updates one).
mirror=$(apt-cache policy | sed -n 's|^ *[0-9]* \([a-z]*://[^ ]*\) [a-z]*/main .*|\1|p' | head -n 1)
[ -n "$mirror" ] || { say "no Debian archive in apt's sources"; exit 1; }
echo "deb-src $mirror $suite main" > "$work/sources.list"
apt() {
	apt-get -q -o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$work/lists" "$@"
}
say "fetching libgpiod's source from $suite"
apt update >&2
# Only the upstream tarball is needed; apt may fail on the other files.
(cd "$work" && apt source --download-only libgpiod >&2) || true
tarball=$(find "$work" -maxdepth 1 -name 'libgpiod_2*.orig.tar.*' | head -n 1)
[ -n "$tarball" ] || { say "no libgpiod 2.x source in $suite"; exit 1; }
tar -xf "$tarball" -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'libgpiod-2*' | head -n 1)
say "building $(basename "$src")"
(cd "$src" && ./configure --quiet --enable-static --disable-shared --disable-tools \
	--prefix="$prefix" && make -s -j"$(nproc)" && make -s install) > "$work/build.log" 2>&1 ||
	{ tail -n 30 "$work/build.log" >&2; exit 1; }
rm -rf "$work"
touch "$prefix/ready"
echo "$prefix"
