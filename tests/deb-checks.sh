#!/bin/sh
# The Debian package as a Debian maintainer would look at it: what it
# installs, its conffile, the units it enables. `make deb` has already
# built it and run lintian (no errors, no warnings).
# Usage: tests/deb-checks.sh PACKAGE.deb
set -u
deb=$1
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

contents=$(dpkg-deb -c "$deb")
has() { echo "$contents" | grep -q " \./$1\$"; }

check "the daemon" has usr/sbin/muricled
check "the service unit" has lib/systemd/system/muricle.service
check "the socket unit" has lib/systemd/system/muricle.socket
check "muricled(8)" has usr/share/man/man8/muricled.8.gz
check "muricle.conf(5)" has usr/share/man/man5/muricle.conf.5.gz
check "the groups (sysusers.d)" has usr/lib/sysusers.d/muricle.conf
check "the Prometheus alerting rules" has usr/share/muricle/muricle-alerts.yml
check "the Grafana dashboard" has usr/share/muricle/muricle-dashboard.json
check "the device permissions (udev)" has lib/udev/rules.d/60-muricle.rules
check "the configuration is a conffile" sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./conffiles | grep -qx /etc/muricle/muricle.conf"
check "the socket is enabled on install" sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./postinst | grep -q \"deb-systemd-helper enable 'muricle.socket'\""
check "the service is enabled on install" sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./postinst | grep -q \"deb-systemd-helper enable 'muricle.service'\""

check "the README under /usr/share/doc" sh -c "echo \"\$0\" | grep -Eq ' \./usr/share/doc/muricle/README\.md(\.gz)?\$'" "$contents"
check "the calibration guide under /usr/share/doc" sh -c "echo \"\$0\" | grep -Eq ' \./usr/share/doc/muricle/mq135\.md(\.gz)?\$'" "$contents"
check "existing devices get their groups on install" sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./postinst | grep -q 'udevadm trigger --action=change --subsystem-match=gpio --subsystem-match=i2c-dev'"
check "purge removes the state directory" sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./postrm | grep -q 'rm -rf /var/lib/private/muricle /var/lib/muricle'"

log=$(dirname "$deb")/build.log
check "the package build ran the unit tests (dh_auto_test)" grep -q '^== build/plain/tests/test_config$' "$log"
# The same source built again with nocheck: no test may run.
nocheck() {
	tmp=$(mktemp -d)
	cp -a "$(dirname "$deb")"/muricle-*/ "$tmp/src"
	(cd "$tmp/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -Pnocheck > "$tmp/log" 2>&1) &&
		! grep -q '^== build/plain/tests/' "$tmp/log"
	rc=$?
	rm -rf "$tmp"
	return $rc
}
check "DEB_BUILD_OPTIONS=nocheck builds without running the tests" nocheck
check "the one lintian override it ships says why" sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./usr/share/lintian/overrides/muricle | grep -B3 '^muricle: package-supports-alternative-init-but-no-init.d-script' | grep -q '^# '"
check "the Description names the page, the history and Prometheus" sh -c "dpkg-deb -f '$deb' Description | grep -q 'web page' && dpkg-deb -f '$deb' Description | grep -q history && dpkg-deb -f '$deb' Description | grep -q Prometheus"

summary deb
