#!/bin/sh
# The Debian package built, checked and installed on Debian 13 (trixie),
# where libgpiod is 2.x (libgpiod3) and the 2.x shim is the one built: in a
# trixie root that mmdebstrap makes (kept in CACHE_DIR), the package's build
# dependencies come from debian/control (apt-get build-dep), the build runs
# its unit tests (dh_auto_test), lintian checks the result as `make deb`
# does, and apt installs it; its daemon then checks its configuration and
# measures on simulated hardware.
#
# Usage: tests/deb-trixie.sh CACHE_DIR OUT_DIR   (the package lands in OUT_DIR)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cache=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
say() { echo "deb-trixie: $*" >&2; }
suite=trixie
root=$cache/root-$(dpkg --print-architecture)-$suite
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)

mkdir -p "$cache"
if [ ! -f "$root.ready" ]; then
	say "making a $suite root in $root"
	rm -rf "$root"
	mmdebstrap --quiet --variant=apt --include=build-essential,lintian "$suite" "$root"
	touch "$root.ready"
fi
# The build needs /proc and /dev (its tests start the daemon); the root is
# the host's network, for apt and for the tests' loopback.
unmount() {
	for m in dev/pts dev proc; do
		if mountpoint -q "$root/$m"; then umount "$root/$m"; fi
	done
}
trap unmount EXIT
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t devpts -o newinstance devpts "$root/dev/pts"
rm -rf "$root/build"
mkdir -p "$root/build/muricle-$version"
(cd "$here" && git ls-files -z | xargs -0 tar -c) | tar -x -C "$root/build/muricle-$version"

# shellcheck disable=SC2016 # expanded inside the root
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	DEBIAN_FRONTEND=noninteractive version="$version" sh -eu -c '
	cd /build/muricle-$version
	apt-get update -q > /dev/null
	apt-get build-dep -y -q --no-install-recommends . > /build/deps.log
	echo "deb-trixie: building (its log: build/deb-trixie/build.log)" >&2
	dpkg-buildpackage -us -uc -b > /build/build.log 2>&1 || { tail -n 80 /build/build.log; exit 1; }
	lintian -I --pedantic --fail-on error,warning,info,pedantic /build/muricle_${version}_*.changes
	apt-get install -y -q --no-install-recommends /build/muricle_${version}_*.deb > /build/install.log
'
cp "$root"/build/muricle_"$version"_* "$root/build/build.log" "$out/"

# shellcheck source=tests/lib.sh
. "$here/tests/lib.sh"
deb=$(ls "$out"/muricle_"$version"_*.deb)
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
check "it depends on libgpiod 2.x (libgpiod3)" sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libgpiod3'"
check "the build ran the unit tests" grep -q '^== build/plain/tests/test_config$' "$out/build.log"
check "the installed configuration checks" in_root /usr/sbin/muricled --check-config -c /etc/muricle/muricle.conf
# run SECONDS ARGS...: the installed daemon on the shipped configuration,
# listening on a port of its own, stopped after SECONDS.
run() {
	t=$1
	shift
	in_root sh -c "mkdir -p /tmp/state && sed 's/^#\\?listen = .*/listen = 127.0.0.1:18180/' \
		/etc/muricle/muricle.conf > /tmp/muricle.conf && STATE_DIRECTORY=/tmp/state \
		timeout -s INT $t /usr/sbin/muricled -v -c /tmp/muricle.conf $*" > "$out/daemon.log" 2>&1 || true
}
# This root has no GPIO chip: the LED and the button say so, the rest runs.
run 3
cp "$out/daemon.log" "$out/daemon-gpio.log"
check "the installed daemon goes through libgpiod 2.x" grep -q 'GPIO through libgpiod 2\.' "$out/daemon-gpio.log"
run 15 --simulate
check "the installed daemon measures on simulated hardware" grep -q 'measurement 1 took' "$out/daemon.log"
summary "trixie package"
