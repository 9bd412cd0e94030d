#!/bin/bash
# U-Boot boot path: QEMU virt runs Debian's S-mode U-Boot (u-boot-qemu) on
# OpenSBI, with an SD-card image from tools/mksdimage.sh as a virtio disk.
#
#   uboot/autoboot-hello  no typing: distro boot finds extlinux.conf on
#                         partition 3 and boots /Image with booti
#                         (append "init=hello semihost")
#   uboot/autoboot-utest  the same with "init=utest semihost": the kernel
#                         test suite, entered the way U-Boot enters it
#   uboot/booti-manual    autoboot stopped with a key, then commands typed
#                         at the U-Boot prompt: virtio scan, load, setenv
#                         bootargs, booti ... - ${fdtcontroladdr}
#
# Each must show U-Boot's banner, the kernel banner and "RESULT: PASS",
# and leave QEMU with exit code 0 (bootarg semihost).  One "PASS: uboot/X"
# or "FAIL: uboot/X: why" line each; logs in build/test/uboot-*.log.
#
# usage: test/qemu/uboot.sh [Image]
set -u
IMAGE=${1:-build/Image}
LOGDIR=build/test
TIMEOUT=${UBOOT_TIMEOUT:-90}
UBOOT=/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf
mkdir -p "$LOGDIR"

if [ ! -f "$UBOOT" ]; then
	echo "FAIL: uboot/setup: $UBOOT missing (Debian package u-boot-qemu; tools/deps.sh)"
	exit 0
fi
if [ ! -f "$IMAGE" ]; then
	echo "FAIL: uboot/setup: no kernel image $IMAGE (make)"
	exit 0
fi

# One SD image per kernel command line in extlinux.conf.
mkimg() {  # mkimg OUT APPEND
	if ! sh tools/mksdimage.sh "$1" "$IMAGE" "$2" >"$1.mk.log" 2>&1; then
		echo "FAIL: uboot/mksdimage: $(tail -1 "$1.mk.log") (log: $1.mk.log)"
		return 1
	fi
}
mkimg "$LOGDIR/uboot-hello.img" "init=hello semihost" || exit 0
mkimg "$LOGDIR/uboot-utest.img" "init=utest semihost" || exit 0

# qemu_start DISK RAWLOG: QEMU in the background, stdin from fd 3's fifo
# when $FIFO is set (else /dev/null); sets QPID (the timeout process).
qemu_start() {
	local disk=$1 raw=$2 in=${FIFO:-/dev/null}
	timeout -k 5 "$TIMEOUT" qemu-system-riscv64 \
		-machine virt -m 256M -nographic -bios default -kernel "$UBOOT" \
		-drive file="$disk",format=raw,if=none,id=hd0 \
		-device virtio-blk-device,drive=hd0 \
		-semihosting-config enable=on,target=native \
		<"$in" >"$raw" 2>&1 &
	QPID=$!
}

# check NAME LOG RC [extra grep pattern that must match]
check() {
	local name=$1 log=$2 rc=$3 want=${4:-}
	# Test lines of the root task, FAIL lines only (user.sh has the rest).
	sed -n "s#^FAIL: #FAIL: uboot-$name/#p" "$log"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "FAIL: uboot/$name: timeout after ${TIMEOUT}s (log: $log)"
	elif ! grep -q '^U-Boot 20' "$log"; then
		echo "FAIL: uboot/$name: no U-Boot banner (log: $log)"
	elif ! grep -q '^rvkern: booting on hart' "$log"; then
		echo "FAIL: uboot/$name: kernel did not start: $(grep -m1 -E 'Wrong Image|Bad Linux|not found|Unknown command|ERROR|[Ff]ailed' "$log" || echo 'no kernel banner') (log: $log)"
	elif grep -q PANIC "$log"; then
		echo "FAIL: uboot/$name: kernel panic: $(grep -m1 PANIC "$log") (log: $log)"
	elif ! grep -q '^RESULT: PASS' "$log"; then
		echo "FAIL: uboot/$name: no 'RESULT: PASS' line (log: $log)"
	elif [ -n "$want" ] && ! grep -qE "$want" "$log"; then
		echo "FAIL: uboot/$name: log lacks /$want/ (log: $log)"
	elif [ "$rc" != 0 ]; then
		echo "FAIL: uboot/$name: QEMU exit code $rc (log: $log)"
	else
		echo "PASS: uboot/$name"
	fi
}

# autoboot NAME IMG WANT: no input at all; distro boot must do everything.
autoboot() {
	local name=$1 img=$2 want=$3 log=$LOGDIR/uboot-$1.log rc
	local disk=$LOGDIR/uboot-$1.disk
	cp --sparse=always "$img" "$disk"
	RAW=$log.raw
	DEADLINE=$((SECONDS + TIMEOUT))
	FIFO='' qemu_start "$disk" "$RAW"
	# A U-Boot prompt means distro boot gave up (or booti returned).
	wait_for '^=> ' && kill "$QPID" 2>/dev/null
	wait "$QPID"
	rc=$?
	tr -d '\r' <"$RAW" >"$log"
	rm -f "$RAW" "$disk"
	check "$name" "$log" "$rc" "$want"
}

# The scripted prompt: wait_for PATTERN [COUNT] waits until the raw log has
# at least COUNT lines matching PATTERN (grep -E), or QEMU is gone, or the
# deadline passes.
wait_for() {
	local pat=$1 count=${2:-1} n
	while [ "$SECONDS" -lt "$DEADLINE" ]; do
		n=$(tr -d '\r' <"$RAW" | grep -cE "$pat")
		[ "$n" -ge "$count" ] && return 0
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# send LINE: type one line at the U-Boot prompt and wait for the next one.
PROMPTS=0
send() {
	printf '%s\n' "$1" >&3
	PROMPTS=$((PROMPTS + 1))
	wait_for '^=> ' "$PROMPTS"
}

# shellcheck disable=SC2016  # ${...} are U-Boot variables, typed as such
booti_manual() {
	local name=booti-manual log=$LOGDIR/uboot-booti-manual.log rc why=""
	local disk=$LOGDIR/uboot-$name.disk dir
	# The disk's extlinux.conf says init=utest: the hello run shows that
	# the typed bootargs, not the autoboot, started the kernel.
	cp --sparse=always "$LOGDIR/uboot-utest.img" "$disk"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/uboot-test.XXXXXX")
	FIFO=$dir/stdin
	mkfifo "$FIFO"
	RAW=$log.raw
	: >"$RAW"
	DEADLINE=$((SECONDS + TIMEOUT))
	qemu_start "$disk" "$RAW"
	exec 3>"$FIFO"           # opens once QEMU has opened the read end
	if ! wait_for 'Hit any key to stop autoboot'; then
		why="no autoboot countdown"
	else
		printf ' ' >&3       # stop autoboot
		PROMPTS=1
		if ! wait_for '^=> ' 1; then
			why="no U-Boot prompt after the key"
		elif ! send 'virtio scan'; then
			why="no prompt after 'virtio scan'"
		elif ! send 'load virtio 0:3 ${kernel_addr_r} Image'; then
			why="no prompt after 'load'"
		elif ! send 'setenv bootargs "init=hello semihost"'; then
			why="no prompt after 'setenv'"
		else
			printf '%s\n' 'booti ${kernel_addr_r} - ${fdtcontroladdr}' >&3
			# Another prompt: booti returned instead of starting the kernel.
			wait_for '^=> ' $((PROMPTS + 1)) && why="booti returned to the prompt: $(grep -m1 -E 'Bad|Wrong|ERROR|Unknown' "$RAW" | tr -d '\r')"
		fi
	fi
	if [ -n "$why" ]; then
		kill "$QPID" 2>/dev/null
	fi
	wait "$QPID"
	rc=$?
	exec 3>&-
	rm -rf "$dir"
	tr -d '\r' <"$RAW" >"$log"
	rm -f "$RAW" "$disk"
	if [ -n "$why" ]; then
		echo "FAIL: uboot/$name: $why (log: $log)"
		return
	fi
	if grep -q 'Retrieving file: /extlinux' "$log"; then
		echo "FAIL: uboot/$name: autoboot was not stopped (log: $log)"
		return
	fi
	check "$name" "$log" "$rc" '^bootargs: init=hello semihost$'
}

autoboot autoboot-hello "$LOGDIR/uboot-hello.img" '^bootargs: init=hello semihost$'
autoboot autoboot-utest "$LOGDIR/uboot-utest.img" '^utest: [0-9]+ passed, 0 failed'
booti_manual
