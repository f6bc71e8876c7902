#!/bin/sh
# Prepare what the VM tests boot: Debian's current kernel and its modules,
# and the test drivers Debian's kernel lacks (gpio-sim; on arm64 i2c-stub
# too), built out of tree from Debian's kernel source package, with Debian's
# cross compiler for arm64. Everything is downloaded at test time into a
# cache outside the source tree; nothing of the kernel is kept in this
# repository.
#
# Usage: tests/vm/prepare.sh CACHE_DIR [amd64|arm64]   (prints the prepared
# directory; the default is amd64)
set -eu
cache=$1
arch=${2:-amd64}
say() { echo "vm: $*" >&2; }
case $arch in
amd64) kmake="" ;;
arm64) kmake="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" ;;
*) say "no VM test for $arch"; exit 2 ;;
esac

# The version is resolved now: Debian drops old kernel ABIs from the mirror.
resolve() {
	img=$(apt-cache depends "linux-image-$arch:$arch" |
		sed -n "s/.*Depends: \\(linux-image-[0-9][^ :]*-$arch\\)\\(:$arch\\)*\$/\\1/p" | head -n 1)
	kver=${img#linux-image-}        # e.g. 6.1.0-56-amd64
	abi=${kver%-"$arch"}            # 6.1.0-56
	series=$(echo "$kver" | cut -d. -f1,2)
	dir=$cache/$kver
}
# The kernel's build tools (linux-kbuild) are the host's, whatever the arch.
download() {
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root" "$dir/modules"
	(cd "$dir/debs" && apt-get download -q "linux-image-$kver:$arch" "linux-headers-$kver:$arch" \
		"linux-headers-$abi-common" "linux-kbuild-$series" "linux-source-$series")
}
# The modules the guest loads; a cache made for another list is made again.
# Those that are missing from the kernel's package are built below.
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p configfs overlay i2c-dev i2c-stub"
resolve
if [ -f "$dir/ready" ] && [ "$(cat "$dir/ready")" = "$mods" ]; then
	echo "$dir"
	exit 0
fi
say "preparing kernel $kver in $dir"
if [ -z "$img" ] || ! download >&2; then
	say "refreshing the package lists and trying again"
	apt-get update -q >&2
	resolve
	[ -n "$img" ] || { say "cannot resolve linux-image-amd64"; exit 1; }
	download >&2
fi
for deb in "$dir"/debs/linux-image-* "$dir"/debs/linux-headers-* "$dir"/debs/linux-kbuild-*; do
	dpkg -x "$deb" "$dir/root"
done
cp "$dir/root/boot/vmlinuz-$kver" "$dir/vmlinuz"

# The modules, flat in one folder for the initramfs.
build_stub=false
for m in $mods; do
	f=$(find "$dir/root/lib/modules/$kver" -name "$m.ko" | head -n 1)
	if [ -n "$f" ]; then
		cp "$f" "$dir/modules/"
	elif [ "$m" = i2c-stub ]; then
		build_stub=true
	else
		say "module $m not found in $kver (built in?)"
	fi
done
echo "$mods" > "$dir/modules/order"

# gpio-sim and the irq_sim helper it needs (and i2c-stub where the kernel's
# package has none), from the source package.
src="linux-source-$series"
dpkg-deb --fsys-tarfile "$dir"/debs/linux-source-*.deb |
	tar -x -C "$dir/root" "./usr/src/$src.tar.xz"
tar -xJf "$dir/root/usr/src/$src.tar.xz" -C "$dir/root/usr/src" \
	"$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" "$src/kernel/irq/irq_sim.c" \
	"$src/drivers/i2c/i2c-stub.c"
rm "$dir/root/usr/src/$src.tar.xz" "$dir"/debs/linux-source-*.deb
mkdir -p "$dir/gpio-sim"
cp "$dir/root/usr/src/$src/drivers/gpio/gpio-sim.c" "$dir/root/usr/src/$src/drivers/gpio/gpiolib.h" \
	"$dir/root/usr/src/$src/kernel/irq/irq_sim.c" "$dir/gpio-sim/"
# irq_to_desc() is not exported to modules; generic_handle_irq() does the same job.
sed -i 's/handle_simple_irq(irq_to_desc(\([a-z_]*\)));/generic_handle_irq(\1);/' "$dir/gpio-sim/irq_sim.c"
grep -q 'generic_handle_irq' "$dir/gpio-sim/irq_sim.c" || { say "irq_sim.c changed: cannot patch it"; exit 1; }
# One module holding both, so the license tag of gpio-sim.c covers it.
printf 'obj-m := gpio-sim-vm.o\ngpio-sim-vm-y := gpio-sim.o irq_sim.o\n' > "$dir/gpio-sim/Kbuild"
if $build_stub; then
	cp "$dir/root/usr/src/$src/drivers/i2c/i2c-stub.c" "$dir/gpio-sim/"
	printf 'obj-m += i2c-stub.o\n' >> "$dir/gpio-sim/Kbuild"
fi
# The headers' Makefile includes the common headers by absolute path.
hdr=$dir/root/usr/src/linux-headers-$kver
echo "include $dir/root/usr/src/linux-headers-$abi-common/Makefile" > "$hdr/Makefile"
# shellcheck disable=SC2086 # kmake: several make variables
make -s -C "$hdr" M="$dir/gpio-sim" $kmake modules >&2
cp "$dir/gpio-sim/gpio-sim-vm.ko" "$dir/modules/"
if $build_stub; then cp "$dir/gpio-sim/i2c-stub.ko" "$dir/modules/"; fi

# Keep only what the guest boots: about 12 MB.
rm -rf "$dir/debs" "$dir/root" "$dir/gpio-sim"
echo "$mods" > "$dir/ready"
say "kernel $kver ready"
echo "$dir"
