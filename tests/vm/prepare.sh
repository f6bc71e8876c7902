#!/bin/sh
# Prepare what the VM tests boot: Debian's current kernel and its modules,
# and gpio-sim, which Debian's kernel lacks, built out of tree from Debian's
# kernel source package. Everything is downloaded at test time into a cache
# outside the source tree; nothing of the kernel is kept in this repository.
#
# Usage: tests/vm/prepare.sh CACHE_DIR   (prints the prepared directory)
set -eu
cache=$1
say() { echo "vm: $*" >&2; }

# The version is resolved now: Debian drops old kernel ABIs from the mirror.
resolve() {
	img=$(apt-cache depends linux-image-amd64 |
		sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	kver=${img#linux-image-}        # e.g. 6.1.0-56-amd64
	abi=${kver%-amd64}              # 6.1.0-56
	series=$(echo "$kver" | cut -d. -f1,2)
	dir=$cache/$kver
}
download() {
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root" "$dir/modules"
	(cd "$dir/debs" && apt-get download -q "linux-image-$kver" "linux-headers-$kver" \
		"linux-headers-$abi-common" "linux-kbuild-$series" "linux-source-$series")
}
# The modules the guest loads; a cache made for another list is made again.
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
for m in $mods; do
	f=$(find "$dir/root/lib/modules/$kver" -name "$m.ko" | head -n 1)
	if [ -n "$f" ]; then
		cp "$f" "$dir/modules/"
	else
		say "module $m not found in $kver (built in?)"
	fi
done
echo "$mods" > "$dir/modules/order"

# gpio-sim and the irq_sim helper it needs, from the source package.
src="linux-source-$series"
dpkg-deb --fsys-tarfile "$dir"/debs/linux-source-*.deb |
	tar -x -C "$dir/root" "./usr/src/$src.tar.xz"
tar -xJf "$dir/root/usr/src/$src.tar.xz" -C "$dir/root/usr/src" \
	"$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" "$src/kernel/irq/irq_sim.c"
rm "$dir/root/usr/src/$src.tar.xz" "$dir"/debs/linux-source-*.deb
mkdir -p "$dir/gpio-sim"
cp "$dir/root/usr/src/$src/drivers/gpio/gpio-sim.c" "$dir/root/usr/src/$src/drivers/gpio/gpiolib.h" \
	"$dir/root/usr/src/$src/kernel/irq/irq_sim.c" "$dir/gpio-sim/"
# irq_to_desc() is not exported to modules; generic_handle_irq() does the same job.
sed -i 's/handle_simple_irq(irq_to_desc(\([a-z_]*\)));/generic_handle_irq(\1);/' "$dir/gpio-sim/irq_sim.c"
grep -q 'generic_handle_irq' "$dir/gpio-sim/irq_sim.c" || { say "irq_sim.c changed: cannot patch it"; exit 1; }
# One module holding both, so the license tag of gpio-sim.c covers it.
printf 'obj-m := gpio-sim-vm.o\ngpio-sim-vm-y := gpio-sim.o irq_sim.o\n' > "$dir/gpio-sim/Kbuild"
# The headers' Makefile includes the common headers by absolute path.
hdr=$dir/root/usr/src/linux-headers-$kver
echo "include $dir/root/usr/src/linux-headers-$abi-common/Makefile" > "$hdr/Makefile"
make -s -C "$hdr" M="$dir/gpio-sim" modules >&2
cp "$dir/gpio-sim/gpio-sim-vm.ko" "$dir/modules/"

# Keep only what the guest boots: about 12 MB.
rm -rf "$dir/debs" "$dir/root" "$dir/gpio-sim"
echo "$mods" > "$dir/ready"
say "kernel $kver ready"
echo "$dir"
