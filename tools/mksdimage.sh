#!/bin/sh
# Build a bootable SD-card (or virtio-disk) image for U-Boot, laid out like
# the SD cards of the SiFive HiFive Unleashed and Unmatched boards:
#
#   part  start sector  sectors  GPT type                               content
#   1     34            2048     5B193300-FC78-40CD-8002-E86C45580B47   U-Boot SPL (left empty)
#   2     2082          8192     2E54B353-1271-4842-806F-E436D6AF6985   u-boot.itb (left empty)
#   3     16384         65536    EF00 (EFI System), legacy BIOS bootable FAT: /Image, /extlinux/extlinux.conf
#
# Partitions 1 and 2 are for the board's U-Boot SPL and u-boot.itb (OpenSBI
# + U-Boot), which Debian does not package: write the vendor's files (or
# those of a U-Boot built with sifive_unleashed_defconfig or
# sifive_unmatched_defconfig) into them with dd (docs/BOOTING.md).  QEMU
# virt runs U-Boot from -kernel and ignores them.
#
# Partition 3 holds the kernel and an extlinux.conf whose `append` line is
# the kernel command line; U-Boot's distro boot finds it (bootable flag),
# loads /Image and starts it with booti, passing its own device tree (no
# fdt/fdtdir line).  Needs no root, no loop device, no mount: sgdisk on the
# image file, mkfs.vfat and mtools on a partition-sized file, dd into place.
#
# usage: tools/mksdimage.sh OUT IMAGE [APPEND]
set -eu
PATH=$PATH:/usr/sbin:/sbin

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 OUT IMAGE [APPEND]" >&2
	exit 2
fi
out=$1
image=$2
append=${3:-}

[ -f "$image" ] || { echo "mksdimage: no kernel image '$image'" >&2; exit 1; }
for tool in sgdisk mkfs.vfat mcopy mmd; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "mksdimage: '$tool' missing (run tools/deps.sh)" >&2; exit 1; }
done

SPL_START=34;    SPL_SECTORS=2048
UBOOT_START=2082; UBOOT_SECTORS=8192
BOOT_START=16384; BOOT_SECTORS=65536         # 32 MiB FAT at 8 MiB
# The backup GPT takes the last 33 sectors; leave 1 MiB after partition 3.
TOTAL_SECTORS=$((BOOT_START + BOOT_SECTORS + 2048))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mksdimage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# extlinux.conf: one label, booted at once (no menu, no prompt).  An empty
# APPEND leaves the append line out: U-Boot 2023.01 (Debian 12) faults on
# an `append` keyword with nothing after it.
cat >"$tmp/extlinux.conf" <<EOF
# rvkern: U-Boot distro boot (extlinux) configuration.
# No fdt/fdtdir line: U-Boot passes its own device tree in a1.
default rvkern
prompt 0
timeout 0

label rvkern
	menu label rvkern microkernel
	kernel /Image
EOF
[ -n "$append" ] && printf '\tappend %s\n' "$append" >>"$tmp/extlinux.conf"

# The FAT boot partition, built as a file of its own.
mkfs.vfat -C -n BOOT "$tmp/boot.fat" $((BOOT_SECTORS / 2)) >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$tmp/boot.fat" ::/extlinux
mcopy -i "$tmp/boot.fat" "$image" ::/Image
mcopy -i "$tmp/boot.fat" "$tmp/extlinux.conf" ::/extlinux/extlinux.conf

# The disk: a sparse file, a fresh GPT, the three partitions.
rm -f "$out.tmp"
truncate -s $((TOTAL_SECTORS * 512)) "$out.tmp"
sgdisk --clear --set-alignment=1 \
	--new=1:$SPL_START:$((SPL_START + SPL_SECTORS - 1)) \
	--change-name=1:spl --typecode=1:5B193300-FC78-40CD-8002-E86C45580B47 \
	--new=2:$UBOOT_START:$((UBOOT_START + UBOOT_SECTORS - 1)) \
	--change-name=2:uboot --typecode=2:2E54B353-1271-4842-806F-E436D6AF6985 \
	--new=3:$BOOT_START:$((BOOT_START + BOOT_SECTORS - 1)) \
	--change-name=3:boot --typecode=3:EF00 \
	--attributes=3:set:2 \
	"$out.tmp" >/dev/null
dd if="$tmp/boot.fat" of="$out.tmp" bs=512 seek=$BOOT_START conv=notrunc,sparse status=none
mv "$out.tmp" "$out"
echo "mksdimage: $out: GPT, 1 spl @$SPL_START, 2 uboot @$UBOOT_START, 3 boot (FAT, /Image, /extlinux/extlinux.conf) @$BOOT_START; append: ${append:-(empty)}"
