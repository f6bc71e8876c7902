#!/bin/sh
# The package of a cross build as a Pi would run it: its daemon is for the
# package's architecture, and under qemu-user it checks the packaged
# configuration, measures on simulated hardware, serves the API and stops
# cleanly on SIGTERM.
# Usage: tests/cross-checks.sh PACKAGE.deb QEMU   (e.g. qemu-aarch64-static)
set -u
deb=$1
qemu=$2
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

arch=$(dpkg-deb -f "$deb" Architecture)
case $arch in
arm64) machine=AArch64 ;;
armhf) machine=ARM ;;
*) echo "error: $deb is for $arch, not arm64 or armhf" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/root"
bin=$tmp/root/usr/sbin/muricled
conf=$tmp/root/etc/muricle/muricle.conf

check "the daemon is an $arch binary" sh -c "readelf -h '$bin' | grep -q 'Machine: *$machine'"
check "it reports its version under $qemu" sh -c "'$qemu' '$bin' --version | grep -q '^muricled '"
check "it accepts the packaged configuration" "$qemu" "$bin" --check-config -c "$conf"

port=$(shuf -i 20000-60000 -n 1)
sed "s|^#listen = .*|listen = 127.0.0.1:$port|" "$conf" > "$tmp/muricle.conf"
STATE_DIRECTORY=$tmp "$qemu" "$bin" --simulate -c "$tmp/muricle.conf" 2> "$tmp/log" &
pid=$!
# The first measurement of every sensor, ok: the simulated board as a whole.
measured() {
	for _ in $(seq 150); do
		curl -sf "http://127.0.0.1:$port/api/v1/sensors" > "$tmp/api" 2>/dev/null &&
			grep -q '"measurements":[1-9]' "$tmp/api" && return 0
		sleep 0.2
	done
	return 1
}
check "on simulated hardware it measures and serves /api/v1/sensors" measured
check "every sensor of the reference board reads ok" sh -c "grep -q '\"simulated\":true' '$tmp/api' && ! grep -Eq '\"status\":\"(error|pending|stale)\"' '$tmp/api'"
check "the page is served" sh -c "curl -sf 'http://127.0.0.1:$port/' | grep -q '<title>'"
stopped() {
	kill -TERM "$pid" && wait "$pid"
	rc=$?
	pid=""
	return $rc
}
check "SIGTERM stops it with status 0" stopped
[ "$failed" -eq 0 ] || sed 's/^/    log: /' "$tmp/log"
summary "$arch package"
