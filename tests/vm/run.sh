#!/bin/sh
# Boot Debian's kernel in qemu and run tests/vm/guest-test.sh inside it,
# against the kernel's own i2c-stub and gpio-sim drivers and the host-built
# daemon. Usage: tests/vm/run.sh DAEMON_BINARY
#
# tests/vm/run.sh --systemd PACKAGE.deb boots the host's root instead, under
# a tmpfs overlay with systemd as PID 1, and runs tests/vm/systemd-test.sh:
# the package installed and used as a user would.
#
# A daemon built for arm64 (make ARCH=arm64) boots Debian's arm64 kernel
# under qemu-system-aarch64, with a root of Debian's arm64 packages
# (tests/vm/root.sh) in place of the host's; the guest test is the same.
#
# MURICLE_VM_CACHE: where downloads and builds are kept (default
# ~/.cache/muricle-vm). ACCEL=kvm on a machine with working KVM; the default
# is software emulation (TCG).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=plain
if [ "$1" = --systemd ]; then
	mode=systemd
	shift
fi
daemon=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cache=${MURICLE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/muricle-vm}
mkdir -p "$cache"
arch=amd64
[ "$mode" = plain ] && readelf -h "$daemon" | grep -q 'Machine: *AArch64' && arch=arm64
kdir=$("$here/prepare.sh" "$cache" "$arch")
root=/
[ "$arch" = amd64 ] || root=$("$here/root.sh" "$cache" "$arch" "$daemon")

work=$(mktemp -d /tmp/muricle-vm.XXXXXX)
trap 'rm -rf "$work"; [ "$root" = / ] || rmdir "$root$work"' EXIT
# The guest's root has the work folder's path to mount it on.
mkdir -p "$root$work"
if [ "$mode" = systemd ]; then
	cp "$daemon" "$work/muricle.deb"
	cp "$here/systemd-test.sh" "$here/lib.sh" "$work/"
	test=$work/systemd-test.sh
	# systemd runs the test as its only unit (plus what that needs).
	cat > "$work/muricle-vm-test.service" <<-UNIT
		[Unit]
		Description=muricle end-to-end test
		Requires=basic.target
		After=basic.target systemd-journald.service

		[Service]
		Type=oneshot
		ExecStart=/bin/sh $test $work
		# Whatever happened, end the VM.
		ExecStopPost=/bin/systemctl --no-block poweroff
		StandardOutput=file:$work/guest.log
		StandardError=inherit
	UNIT
else
	cp "$daemon" "$work/muricled"
	test=$here/guest-test.sh
	if [ "$root" != / ]; then
		cp "$here/guest-test.sh" "$here/lib.sh" "$work/"
		test=$work/guest-test.sh
	fi
fi

# The initramfs: busybox, the init script, the modules.
ird=$work/initramfs
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/modules"
cp "$root/bin/busybox" "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
cp "$here/init" "$ird/init"
chmod +x "$ird/init"
cp "$kdir"/modules/* "$ird/modules/"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initramfs.gz"

echo "vm: booting $(basename "$kdir") with $(basename "$daemon")"
case $arch in
amd64) qemu="qemu-system-x86_64 -machine accel=${ACCEL:-tcg}" console=ttyS0 ;;
arm64) qemu="qemu-system-aarch64 -machine virt -cpu cortex-a72" console=ttyAMA0 ;;
esac
status=0
# shellcheck disable=SC2086 # qemu: the command and its machine
timeout 900 $qemu -m 1024 -smp 2 \
	-kernel "$kdir/vmlinuz" -initrd "$work/initramfs.gz" \
	-append "console=$console panic=-1 quiet muricle.work=$work muricle.test=$test muricle.mode=$mode" \
	-virtfs local,path="$root",mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$work",mount_tag=work,security_model=none,multidevs=remap \
	-nographic -no-reboot -serial stdio -monitor none > "$work/console.log" 2>&1 || status=$?

cat "$work/guest.log" 2>/dev/null || true
if [ ! -f "$work/result" ]; then
	echo "vm: the guest did not finish (qemu exit $status); its console:"
	tail -n 40 "$work/console.log"
	exit 1
fi
exit "$(cat "$work/result")"
