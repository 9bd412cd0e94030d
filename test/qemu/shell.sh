#!/bin/bash
# The interactive console: test/qemu/shell.py boots the default system
# (procsrv, the console server, init running sh) and types a scripted
# session over the serial console: a program with arguments, a
# three-stage pipeline, an unknown command, line editing, a background
# job seen by ps and killed, Ctrl-C of a spinning program, a 64 KiB paste
# counted by wc, free before and after (no leak), exit.  On virt and
# sifive_u.  Logs: build/test/shell-<machine>.log.
#
# usage: test/qemu/shell.sh [kernel.elf]
set -u
KERNEL=${1:-build/kernel.elf}
mkdir -p build/test
python3 test/qemu/shell.py "$KERNEL" virt 1 128M virt build/test/shell-virt.log
python3 test/qemu/shell.py "$KERNEL" sifive_u 2 256M sifive_u build/test/shell-sifive_u.log
python3 test/qemu/shell.py "$KERNEL" virt 4 128M virt-smp4 build/test/shell-virt-smp4.log
