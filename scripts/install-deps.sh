#!/bin/sh
# Install the Debian packages muricle needs to build and test, when any is missing.
# Usage: scripts/install-deps.sh [build|test|vm|deb|bench]   (test and vm imply the
# ones before them; deb and bench imply build)
#        scripts/install-deps.sh cross ARCH [vm]   (arm64 or armhf: a cross build
# and its tests under qemu-user; adds ARCH to dpkg's architectures; with vm,
# what the VM test of an arm64 build needs too)
set -eu

# cmark-gfm turns the calibration guide into the page the daemon serves;
# console-setup-linux has the Terminus fonts the display's glyphs come from.
build="gcc make pkg-config libevent-dev libmicrohttpd-dev libinih-dev libgpiod-dev libi2c-dev libsystemd-dev zlib1g-dev libmosquitto-dev libssl-dev cmark-gfm console-setup-linux"
# promtool (package prometheus) checks /metrics; Chromium runs the browser
# test, driven by playwright-core from npm (tests/browser/package.json).
# mosquitto: the MQTT tests start a broker of their own, and subscribe with
# mosquitto-clients. clang and its runtime build the libFuzzer targets.
# faketime runs a daemon in the past, for the browser test's history ranges.
test="check libjson-c-dev clang libclang-rt-14-dev systemd man-db prometheus chromium mosquitto mosquitto-clients openssl faketime"
# The VM tests: qemu and busybox boot Debian's kernel; the kernel packages
# are unpacked, not installed, so what their build tools need comes here;
# i2c-tools and curl drive the guest test.
vm="qemu-system-x86 busybox-static cpio gzip xz-utils libelf1 libssl3 linux-compiler-gcc-12-x86 i2c-tools curl"

# The Debian package; its build runs make check-unit (Check, json-c), and
# takes the units' folder from systemd.pc (in systemd on Debian 12);
# mmdebstrap makes the Debian 13 root it is also built in (make deb-trixie).
deb="debhelper dpkg-dev lintian git check libjson-c-dev systemd mmdebstrap"
# make bench: load, the static reference, measuring tools.
bench="wrk nginx curl python3 strace valgrind"

# A cross build: Debian's cross toolchain, qemu-user for the tests, and the
# libraries for ARCH beside this machine's (libevent-dev is not Multi-Arch:
# same on Debian 12: the build unpacks its headers, scripts/cross-libevent.sh).
cross_libs="pkgconf libmicrohttpd-dev libinih-dev libgpiod-dev libi2c-dev libsystemd-dev zlib1g-dev libmosquitto-dev libssl-dev check libjson-c-dev libevent-2.1-7 libevent-core-2.1-7 libevent-extra-2.1-7 libevent-pthreads-2.1-7"

case "${1:-build}" in
cross)
	arch=${2:?usage: $0 cross arm64|armhf}
	want="$build $deb crossbuild-essential-$arch qemu-user-static"
	for p in $cross_libs; do want="$want $p:$arch"; done
	# qemu-system-arm has qemu-system-aarch64; mmdebstrap extracts the
	# guest's root of ARCH packages (tests/vm/root.sh).
	[ "${3:-}" = vm ] && want="$want $vm qemu-system-arm mmdebstrap"
	;;
deb) want="$build $deb" ;;
bench) want="$build $bench" ;;
build) want=$build ;;
test) want="$build $test" ;;
vm) want="$build $test $vm" ;;
*) echo "usage: $0 [build|test|vm|deb|bench] | cross ARCH [vm]" >&2; exit 2 ;;
esac

case "${1:-build}" in test | vm) browser=y ;; *) browser=n ;; esac
# Node.js for the browser test: whatever the machine has, else Debian's
# (18 on Debian 12; tests/browser pins a playwright-core that runs on it).
if [ "$browser" = y ] && ! command -v npm >/dev/null 2>&1; then
	want="$want nodejs npm"
fi

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
# The npm packages of the browser test, exactly as package-lock.json says.
npm_deps() {
	dir=$(dirname "$0")/../tests/browser
	if [ "$browser" = y ] && [ ! -d "$dir/node_modules/playwright-core" ]; then
		echo "installing the browser test's npm packages" >&2
		npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
	fi
}

if [ -z "$missing" ]; then
	npm_deps
	exit 0
fi

echo "installing missing packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "error: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${1:-}" = cross ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	$sudo dpkg --add-architecture "$arch"
fi
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
npm_deps
