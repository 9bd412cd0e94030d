/*
 * Kernel entry from the boot loader (OpenSBI fw_dynamic, or U-Boot booti).
 *
 * The image begins with the 64-byte RISC-V Linux Image header that booti
 * checks (Linux Documentation/riscv/boot-image-header.rst layout).  The
 * loader jumps to offset 0 with a0 = hartid, a1 = DTB physical address,
 * satp = 0 and interrupts off, running at the physical load address.
 *
 * Before paging, only PC-relative addressing works: we zero .bss, call
 * boot_early() to build the boot page table, enable Sv39 and jump to the
 * link address in the upper half.
 */
#include <arch/vm.h>

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _head
_head:
	j	boot_entry              /* code0: a 32-bit jump */
	.word	0                       /* code1 */
	.dword	0x200000                /* text_offset from RAM base */
	.dword	_image_size             /* image_size, including .bss */
	.dword	0                       /* flags: little endian */
	.word	0x2                     /* version 0.2 */
	.word	0                       /* res1 */
	.dword	0                       /* res2 */
	.ascii	"RISCV\0\0\0"           /* magic (deprecated) */
	.ascii	"RSC\x05"               /* magic2 */
	.word	0                       /* res3 */
	.option pop

boot_entry:
	csrw	sie, zero
	csrw	sip, zero
	csrw	satp, zero
	/* No per-cpu pointer yet; sscratch = 0 means "trap from kernel". */
	csrw	sscratch, zero
	mv	tp, zero
	mv	s0, a0                  /* hartid */
	mv	s1, a1                  /* dtb */

	/* Zero .bss through its physical address. */
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	lla	sp, boot_stack_top
	mv	a0, s0
	mv	a1, s1
	call	boot_early              /* returns the satp value */

	sfence.vma
	csrw	satp, a0
	sfence.vma

	/* Jump to the upper-half alias of boot_high. */
	ld	t0, .Lhigh
	jr	t0

	.balign 8
.Lhigh:
	.dword	boot_high

	.section .text.boot, "ax"
boot_high:
	lla	sp, boot_stack_top      /* now a virtual address */
	mv	a0, s0                  /* hartid (s0 is fp: copy it first) */
	mv	a1, s1
	mv	fp, zero                /* ends backtraces */
	mv	ra, zero
	call	kmain
3:	wfi
	j	3b

	.section .bss
	.balign 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.space	KERNEL_STACK_SIZE
boot_stack_top:
