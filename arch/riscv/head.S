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

/*
 * A secondary hart, started by smp_start through SBI HSM hart_start: it
 * arrives here at the physical address, MMU off, with a0 = hartid and
 * a1 = its cpu index.  It switches to the kernel's page table
 * (smp_kernel_satp, read through its physical address); the kernel table
 * has no identity map, so the fetch after the satp write faults, and
 * stvec, set first, is where that fault lands: secondary_high, at its
 * virtual address.  There it takes its stack in smp_stacks and calls
 * secondary_main (arch/riscv/smp.c), which never returns.
 */
	.section .text.head, "ax"
	.globl secondary_entry
	.balign 4
secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	mv	tp, zero
	ld	t0, .Lsecondary_high
	csrw	stvec, t0
	lla	t0, smp_kernel_satp
	ld	t0, 0(t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	j	secondary_high          /* faults to stvec: the same place */

	.balign 8
.Lsecondary_high:
	.dword	secondary_high

	.section .text.boot, "ax"
	.balign 4
secondary_high:
	lla	sp, smp_stacks          /* virtual now */
	li	t0, KERNEL_STACK_SIZE
	mul	t0, t0, a1              /* index >= 1: the top of stack index - 1 */
	add	sp, sp, t0
	mv	fp, zero
	mv	ra, zero
	call	secondary_main
4:	wfi
	j	4b

	.section .bss
	.balign 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.space	KERNEL_STACK_SIZE
boot_stack_top:
