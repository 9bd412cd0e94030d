#!/bin/sh
# Install the Debian packages the build and the tests need, if missing.
# Uses apt-get (through sudo when not root) and says what it installs.
# `make qemu` and `make test` run this first; it is quiet when all is there.
# `tools/deps.sh bench` (make bench) also installs what the benchmark
# plots need.
set -eu

# package  command-or-file that shows it is installed
PKGS="
gcc-riscv64-unknown-elf:riscv64-unknown-elf-gcc
binutils-riscv64-unknown-elf:riscv64-unknown-elf-ld
qemu-system-misc:qemu-system-riscv64
opensbi:/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
gdb-multiarch:gdb-multiarch
device-tree-compiler:dtc
gcc:cc
make:make
cpio:cpio
picolibc-riscv64-unknown-elf:/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs
u-boot-qemu:/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
gdisk:/sbin/sgdisk
dosfstools:/sbin/mkfs.vfat
mtools:mcopy
python3:python3
spin:spin
"
# `make bench` only: gnuplot for build/bench/*.png (tools/benchplot.sh).
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS gnuplot-nox:gnuplot"
fi

missing=""
for entry in $PKGS; do
	pkg=${entry%%:*}
	probe=${entry#*:}
	case $probe in
	/*) [ -e "$probe" ] && continue ;;
	*) command -v "$probe" >/dev/null 2>&1 && continue ;;
	esac
	missing="$missing $pkg"
done

# The host unit tests need the sanitizer runtimes that come with gcc.
if command -v cc >/dev/null 2>&1; then
	if ! echo 'int main(void){return 0;}' | cc -x c -fsanitize=address,undefined -o /dev/null - >/dev/null 2>&1; then
		missing="$missing libasan8 libubsan1"
	fi
fi

[ -z "$missing" ] && exit 0

echo "deps.sh: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "deps.sh: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
