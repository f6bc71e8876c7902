#!/bin/sh
# The systemd units as systemd sees them: systemd-analyze verify (with the
# man pages their Documentation= names) and the sandbox's exposure score,
# which must stay at 2.0 or lower. Usage: tests/systemd-checks.sh BINARY
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
CHECK_SHOW_OUTPUT=1

units=$(mktemp -d)
trap 'rm -rf "$units"' EXIT
# The unit names the installed path; point it at this build.
sed "s|/usr/sbin/muricled|$bin|" "$top/systemd/muricle.service" > "$units/muricle.service"
cp "$top/systemd/muricle.socket" "$units/"

check "systemd-analyze verify" env MANPATH="$top/man:" \
	systemd-analyze verify "$units/muricle.service" "$units/muricle.socket"
score=$(systemd-analyze security --offline=true "$units/muricle.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for muricle.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security: exposure $score"
check "exposure $score at most 2.0" systemd-analyze security --offline=true --threshold=20 \
	"$units/muricle.service" > /dev/null
check "Type=notify" grep -q '^Type=notify$' "$units/muricle.service"
check "a watchdog" grep -q '^WatchdogSec=' "$units/muricle.service"
# shellcheck disable=SC2016 # a literal $MAINPID
check "reload by SIGHUP" grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$units/muricle.service"

summary systemd
