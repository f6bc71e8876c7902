#!/bin/sh
# A root for a VM of another architecture than the host's: Debian's
# packages of ARCH, extracted (not installed: nothing of ARCH runs on the
# host) by mmdebstrap into the cache. It holds what tests/vm/guest-test.sh
# runs (a shell, coreutils, sed, awk, curl, i2c-tools, busybox for the
# initramfs) and the libraries DAEMON needs, found from its ELF header and
# the host's :ARCH packages it was linked against.
#
# Usage: tests/vm/root.sh CACHE_DIR ARCH DAEMON   (prints the root's directory)
set -eu
cache=$1
arch=$2
daemon=$3
say() { echo "vm: $*" >&2; }

tools="busybox-static dash coreutils sed grep mawk curl i2c-tools libc-bin"
libs=
triplet=$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
for so in $(readelf -d "$daemon" | sed -n 's/.*Shared library: \[\(.*\)\]$/\1/p'); do
	pkg=$(dpkg -S "*/$triplet/$so" |
		sed -n "s/^\([^:]*\):$arch: .*/\1/p" | head -n 1)
	[ -n "$pkg" ] || { say "no :$arch package holds $so (scripts/install-deps.sh cross $arch)"; exit 1; }
	libs="$libs $pkg"
done
want=$(echo "$tools $libs" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
suite=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release)
root=$cache/root-$arch-$suite
if [ -f "$root.ready" ] && [ "$(cat "$root.ready")" = "$want" ]; then
	echo "$root"
	exit 0
fi
say "extracting a $suite $arch root into $root: $want"
rm -rf "$root" "$root.ready"
# shellcheck disable=SC2086 # want: package names
mmdebstrap --quiet --variant=extract --architectures="$arch" \
	--include="$(echo $want | tr ' ' ',')" "$suite" "$root" >&2
# What installing would have made: /bin/sh, and the folders init mounts on.
[ -e "$root/bin/sh" ] || ln -s dash "$root/bin/sh"
[ -e "$root/usr/bin/awk" ] || ln -s mawk "$root/usr/bin/awk"
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp"
echo "$want" > "$root.ready"
echo "$root"
