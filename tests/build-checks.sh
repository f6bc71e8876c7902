#!/bin/sh
# Checks on the build itself: hardening in the binary, and `make install`
# honouring DESTDIR and PREFIX. Usage: tests/build-checks.sh BINARY
set -u
bin=$1
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

# PIE: an ELF of type DYN. Full RELRO: GNU_RELRO plus BIND_NOW.
check "PIE" sh -c "readelf -h '$bin' | grep -q 'Type:.*DYN'"
check "RELRO" sh -c "readelf -l '$bin' | grep -q GNU_RELRO"
check "BIND_NOW" sh -c "readelf -d '$bin' | grep -q 'BIND_NOW'"
check "stack protector" sh -c "nm -D '$bin' | grep -q __stack_chk_fail"
check "FORTIFY_SOURCE" sh -c "nm -D '$bin' | grep -q '__[a-z]*_chk'"

dest=$(mktemp -d)
check "make install" make --no-print-directory -s install DESTDIR="$dest" PREFIX=/opt/m
check "daemon installed under PREFIX" test -x "$dest/opt/m/sbin/muricled"
check "config installed under /etc" test -f "$dest/etc/muricle/muricle.conf"
check "man pages installed" test -f "$dest/opt/m/share/man/man8/muricled.8" -a -f "$dest/opt/m/share/man/man5/muricle.conf.5"
check "units installed, naming the installed binary" grep -q "^ExecStart=/opt/m/sbin/muricled$" "$dest/opt/m/lib/systemd/system/muricle.service"
check "installed config is valid" "$dest/opt/m/sbin/muricled" --check-config -c "$dest/etc/muricle/muricle.conf"
rm -rf "$dest"

summary build
