#!/bin/sh
# Runs inside the test VM as a unit of systemd, which is PID 1 there: the
# Debian package installed and used the way a user meets it. Writes the
# result to WORK/result and powers the VM off.
# shellcheck disable=SC2317 # functions are called through check and wait_for
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
work=$1
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
finish() {
	echo "--- journalctl -u muricle"
	journalctl -u muricle --no-pager | tail -n 40
	echo "vm systemd checks: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && echo 0 > "$work/result" || echo 1 > "$work/result"
	sync
	systemctl --no-block poweroff
	exit 0
}

check "systemd is PID 1" test "$(cat /proc/1/comm)" = systemd
# A GPIO chip that exists before the package does (gpio-sim): no rule gives
# it a group yet, so it is root's, as on plain Debian.
cfs=/sys/kernel/config/gpio-sim/before
mkdir "$cfs" "$cfs/bank0"
echo 4 > "$cfs/bank0/num_lines"
echo 1 > "$cfs/live"
chip=/dev/$(cat "$cfs/bank0/chip_name")
udevadm settle
group_is() { [ "$(stat -c %G "$chip")" = "$1" ]; }
check "before the package, $chip is root's" group_is root
check "the package installs" sh -c "dpkg -i '$work/muricle.deb' > '$work/dpkg.log' 2>&1"
check "groups gpio and i2c exist" sh -c "getent group gpio && getent group i2c"
check "the install gave $chip to group gpio, without a reboot" wait_for 10 group_is gpio
check "the socket is enabled" systemctl is-enabled --quiet muricle.socket
check "the service is enabled" systemctl is-enabled --quiet muricle.service
# A short watchdog for the test; the package's unit says 30 s.
mkdir -p /etc/systemd/system/muricle.service.d
printf '[Service]\nWatchdogSec=4s\n' > /etc/systemd/system/muricle.service.d/test.conf
systemctl daemon-reload
systemctl restart muricle.socket
check "the socket listens on port 80" wait_for 20 systemctl is-active --quiet muricle.socket

page() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 http://127.0.0.1/ | grep -q 200; }
check "the page answers on port 80" wait_for 60 page
check "the service reached READY (active)" wait_for 30 systemctl is-active --quiet muricle.service
status() { systemctl show -p StatusText --value muricle.service | grep -q "sensors ok"; }
check "systemd shows its status line" wait_for 30 status
journal_has() { journalctl -u muricle --no-pager -o cat | grep -q "$1"; }
check "journal: version and config" wait_for 10 journal_has "muricle 0.1.0 starting, config /etc/muricle/muricle.conf"
check "journal: the socket it serves on" journal_has "using the socket systemd passed"
check "journal: each sensor with its bus and address" journal_has "sensor barometer: bmp180, 0x77 on /dev/i2c-1"
# This VM has no /dev/i2c-1: those sensors are the only problems.
problems() { journalctl -u muricle --no-pager -o cat -p warning; }
check "journal -p warning: the missing bus" sh -c "journalctl -u muricle --no-pager -o cat -p warning | grep -q '/dev/i2c-1 does not exist'"
check "journal -p warning: no info lines" sh -c "! journalctl -u muricle --no-pager -o cat -p warning | grep -q 'starting'"
# 'listen' set in the file: not used under socket activation, and said so.
sed -i 's/^#listen = .*/listen = 0.0.0.0:8080/' /etc/muricle/muricle.conf
check "restart with 'listen' set" systemctl restart muricle.service
notice() { journalctl -u muricle --no-pager -o cat -p notice | grep -q "'listen = 0.0.0.0:8080' in the configuration is not used: systemd passed the socket"; }
check "journal -p notice: 'listen' is not used" wait_for 30 notice
check "the page still answers on port 80" wait_for 60 page
check "reload" systemctl reload muricle.service
check "active after reload" wait_for 10 systemctl is-active --quiet muricle.service
# The history goes to StateDirectory= at stop and comes back at start.
check "restart" systemctl restart muricle.service
check "the history file is in the state directory" test -s /var/lib/muricle/history
check "journal: the history was loaded" wait_for 30 journal_has "history: loaded"
check "the history API answers" sh -c "curl -sf --max-time 30 http://127.0.0.1/api/v1/history | grep -q '\"series\":\\[{'"
check "the event stream starts with the state" sh -c "curl -sN --max-time 5 http://127.0.0.1/events | grep -q '^event: state'"
check "/metrics answers" sh -c "curl -sf --max-time 30 http://127.0.0.1/metrics | grep -q '^muricle_sensor_status{sensor=\"led\"'"

pid=$(systemctl show -p MainPID --value muricle.service)
kill -STOP "$pid"
restarted() {
	p=$(systemctl show -p MainPID --value muricle.service)
	[ "$p" != 0 ] && [ "$p" != "$pid" ]
}
check "a frozen daemon is restarted by the watchdog" wait_for 40 restarted
check "the watchdog was the reason" journal_has "Watchdog timeout"
check "the page answers again" wait_for 60 page

# Purge: the service goes, and so do its configuration and its history.
check "the package purges" sh -c "dpkg --purge muricle > '$work/purge.log' 2>&1"
check "the service is gone" sh -c "! systemctl is-active --quiet muricle.service"
check "purge removed the history" sh -c "! test -e /var/lib/muricle && ! test -e /var/lib/private/muricle"
check "purge removed the configuration" test ! -e /etc/muricle/muricle.conf
finish
