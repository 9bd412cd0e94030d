/*
 * Trap entry and exit, user return, uaccess copies, kernel probes,
 * semihosting exit.
 *
 * sscratch is 0 while the hart runs in the kernel and holds the hart's
 * cpu_t pointer while it runs user code.  The first instruction swaps tp
 * and sscratch, which tells the two cases apart:
 *  - from user: the user registers go straight into the running thread's
 *    trap frame (cpu->cur_tf), then trap_user(tf) runs on the hart's
 *    kernel stack and leaves through user_return;
 *  - from the kernel: a trap frame is pushed on the current stack and
 *    trap_kernel(tf) returns to the interrupted kernel code.
 */
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/trap.h>

	.section .text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw	tp, sscratch, tp
	bnez	tp, trap_from_user
	csrrw	tp, sscratch, tp        /* from the kernel: undo the swap */
	addi	sp, sp, -TF_SIZE
	sd	x1, TF_REG(1)(sp)
	/* x2 (sp) is saved below from its pre-trap value */
	sd	x3, TF_REG(3)(sp)
	sd	x4, TF_REG(4)(sp)
	sd	x5, TF_REG(5)(sp)
	sd	x6, TF_REG(6)(sp)
	sd	x7, TF_REG(7)(sp)
	sd	x8, TF_REG(8)(sp)
	sd	x9, TF_REG(9)(sp)
	sd	x10, TF_REG(10)(sp)
	sd	x11, TF_REG(11)(sp)
	sd	x12, TF_REG(12)(sp)
	sd	x13, TF_REG(13)(sp)
	sd	x14, TF_REG(14)(sp)
	sd	x15, TF_REG(15)(sp)
	sd	x16, TF_REG(16)(sp)
	sd	x17, TF_REG(17)(sp)
	sd	x18, TF_REG(18)(sp)
	sd	x19, TF_REG(19)(sp)
	sd	x20, TF_REG(20)(sp)
	sd	x21, TF_REG(21)(sp)
	sd	x22, TF_REG(22)(sp)
	sd	x23, TF_REG(23)(sp)
	sd	x24, TF_REG(24)(sp)
	sd	x25, TF_REG(25)(sp)
	sd	x26, TF_REG(26)(sp)
	sd	x27, TF_REG(27)(sp)
	sd	x28, TF_REG(28)(sp)
	sd	x29, TF_REG(29)(sp)
	sd	x30, TF_REG(30)(sp)
	sd	x31, TF_REG(31)(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, TF_REG(2)(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)

	/* A frame record so backtraces walk through the trap. */
	ld	t0, TF_SEPC(sp)
	addi	sp, sp, -16
	sd	t0, 8(sp)
	sd	fp, 0(sp)
	addi	fp, sp, 16
	addi	a0, sp, 16
	call	trap_kernel
	addi	sp, sp, 16

	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	x1, TF_REG(1)(sp)
	ld	x3, TF_REG(3)(sp)
	ld	x4, TF_REG(4)(sp)
	ld	x5, TF_REG(5)(sp)
	ld	x6, TF_REG(6)(sp)
	ld	x7, TF_REG(7)(sp)
	ld	x8, TF_REG(8)(sp)
	ld	x9, TF_REG(9)(sp)
	ld	x10, TF_REG(10)(sp)
	ld	x11, TF_REG(11)(sp)
	ld	x12, TF_REG(12)(sp)
	ld	x13, TF_REG(13)(sp)
	ld	x14, TF_REG(14)(sp)
	ld	x15, TF_REG(15)(sp)
	ld	x16, TF_REG(16)(sp)
	ld	x17, TF_REG(17)(sp)
	ld	x18, TF_REG(18)(sp)
	ld	x19, TF_REG(19)(sp)
	ld	x20, TF_REG(20)(sp)
	ld	x21, TF_REG(21)(sp)
	ld	x22, TF_REG(22)(sp)
	ld	x23, TF_REG(23)(sp)
	ld	x24, TF_REG(24)(sp)
	ld	x25, TF_REG(25)(sp)
	ld	x26, TF_REG(26)(sp)
	ld	x27, TF_REG(27)(sp)
	ld	x28, TF_REG(28)(sp)
	ld	x29, TF_REG(29)(sp)
	ld	x30, TF_REG(30)(sp)
	ld	x31, TF_REG(31)(sp)
	addi	sp, sp, TF_SIZE
	sret

trap_from_user:
	/* tp = cpu, sscratch = user tp */
	sd	sp, CPU_USER_SP(tp)
	ld	sp, CPU_CUR_TF(tp)
	sd	x1, TF_REG(1)(sp)
	sd	x3, TF_REG(3)(sp)
	sd	x8, TF_REG(8)(sp)
	sd	x9, TF_REG(9)(sp)
	sd	x10, TF_REG(10)(sp)
	sd	x11, TF_REG(11)(sp)
	sd	x12, TF_REG(12)(sp)
	sd	x13, TF_REG(13)(sp)
	sd	x14, TF_REG(14)(sp)
	sd	x15, TF_REG(15)(sp)
	sd	x16, TF_REG(16)(sp)
	sd	x17, TF_REG(17)(sp)
	sd	x18, TF_REG(18)(sp)
	sd	x19, TF_REG(19)(sp)
	sd	x20, TF_REG(20)(sp)
	sd	x21, TF_REG(21)(sp)
	sd	x22, TF_REG(22)(sp)
	sd	x23, TF_REG(23)(sp)
	sd	x24, TF_REG(24)(sp)
	sd	x25, TF_REG(25)(sp)
	sd	x26, TF_REG(26)(sp)
	sd	x27, TF_REG(27)(sp)
	ld	a0, CPU_USER_SP(tp)
	sd	a0, TF_REG(2)(sp)
	csrrw	a0, sscratch, zero      /* user tp; sscratch = 0: in the kernel */
	sd	a0, TF_REG(4)(sp)
	csrr	a0, sepc
	sd	a0, TF_SEPC(sp)
	csrr	a1, scause
	li	a2, EXC_ECALL_U
	bne	a1, a2, trap_from_user_other
	/*
	 * A system call.  t0..t6 are not preserved across system calls (the
	 * ABI, docs/SYSCALLS.md), so they are not saved; sstatus of a user
	 * thread never changes (tf_init_user), and scause/stval are not
	 * needed.  The syscall stubs declare t0..t6 clobbered.
	 */
	mv	a0, sp
	ld	sp, CPU_KSTACK_TOP(tp)
	mv	fp, zero                /* ends backtraces */
	call	kern_syscall
	beqz	a0, 3f
	j	4f

trap_from_user_other:
	/* An interrupt or a fault: the whole state matters. */
	sd	x5, TF_REG(5)(sp)
	sd	x6, TF_REG(6)(sp)
	sd	x7, TF_REG(7)(sp)
	sd	x28, TF_REG(28)(sp)
	sd	x29, TF_REG(29)(sp)
	sd	x30, TF_REG(30)(sp)
	sd	x31, TF_REG(31)(sp)
	/* (sstatus of a user thread never changes: tf_init_user set it.) */
	sd	a1, TF_SCAUSE(sp)
	csrr	a0, stval
	sd	a0, TF_STVAL(sp)
	li	a2, EXC_STORE_PAGE_FAULT
	bne	a1, a2, 5f
	/* A store page fault: most often copy-on-write, resolved at once. */
	ld	sp, CPU_KSTACK_TOP(tp)
	mv	fp, zero
	call	kern_cow_fault          /* a0 = stval */
	bnez	a0, 4f
	ld	sp, CPU_CUR_TF(tp)
5:	mv	a0, sp
	ld	sp, CPU_KSTACK_TOP(tp)
	mv	fp, zero
	call	trap_user
4:	/* Resume the same thread.  Every C function has restored the
	 * callee-saved registers it used, so s1..s11 are still the user's;
	 * s0 (fp) was zeroed above and is reloaded. */
	ld	a0, CPU_CUR_TF(tp)
	j	arch_user_return_same
3:	call	kern_return_to_user     /* another thread runs: never returns */

/*
 * void arch_user_return(trapframe_t *tf): enter user mode with tf's
 * registers.  Called on the hart's kernel stack, with interrupts off;
 * whatever is on the kernel stack is abandoned.
 */
	.globl arch_user_return
arch_user_return:
	ld	t0, TF_SSTATUS(a0)
	csrw	sstatus, t0
	/*
	 * arch_user_return_from_user: sstatus is still what the user trap
	 * left (SPP = user, SPIE = 1), as tf_init_user would set it.
	 */
	.globl arch_user_return_from_user
arch_user_return_from_user:
	ld	x9, TF_REG(9)(a0)       /* s1 .. s11 (s0 below) */
	ld	x18, TF_REG(18)(a0)
	ld	x19, TF_REG(19)(a0)
	ld	x20, TF_REG(20)(a0)
	ld	x21, TF_REG(21)(a0)
	ld	x22, TF_REG(22)(a0)
	ld	x23, TF_REG(23)(a0)
	ld	x24, TF_REG(24)(a0)
	ld	x25, TF_REG(25)(a0)
	ld	x26, TF_REG(26)(a0)
	ld	x27, TF_REG(27)(a0)
	/* Only from trap_from_user (same thread, same sstatus): s1..s11 are
	 * still the user's. */
arch_user_return_same:
	ld	x8, TF_REG(8)(a0)
	csrw	sscratch, tp
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	ld	x1, TF_REG(1)(a0)
	ld	x2, TF_REG(2)(a0)
	ld	x3, TF_REG(3)(a0)
	ld	x4, TF_REG(4)(a0)
	ld	x5, TF_REG(5)(a0)
	ld	x6, TF_REG(6)(a0)
	ld	x7, TF_REG(7)(a0)
	ld	x11, TF_REG(11)(a0)
	ld	x12, TF_REG(12)(a0)
	ld	x13, TF_REG(13)(a0)
	ld	x14, TF_REG(14)(a0)
	ld	x15, TF_REG(15)(a0)
	ld	x16, TF_REG(16)(a0)
	ld	x17, TF_REG(17)(a0)
	ld	x28, TF_REG(28)(a0)
	ld	x29, TF_REG(29)(a0)
	ld	x30, TF_REG(30)(a0)
	ld	x31, TF_REG(31)(a0)
	ld	x10, TF_REG(10)(a0)
	sret

/*
 * int arch_copy_user(void *dst, const void *src, size_t n)
 * Copy n bytes where one side is a user address already range-checked by
 * kern/uaccess.c.  sstatus.SUM is set only for the copy; a fault resumes
 * at uaccess_fault through cpu->fixup_pc and returns E_FAULT.
 */
#define E_FAULT_NEG (-3)
#define SSTATUS_SUM_BIT (1 << 18)

	.globl arch_copy_user
arch_copy_user:
	lla	t0, uaccess_fault
	sd	t0, CPU_FIXUP_PC(tp)
	li	t1, SSTATUS_SUM_BIT
	csrs	sstatus, t1
	/* Word copy when dst, src and n are all 8-aligned, else bytes. */
	or	t2, a0, a1
	or	t2, t2, a2
	andi	t2, t2, 7
	bnez	t2, 2f
1:	beqz	a2, 3f
	ld	t2, 0(a1)
	sd	t2, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f
	lb	t2, 0(a1)
	sb	t2, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	csrc	sstatus, t1
	sd	zero, CPU_FIXUP_PC(tp)
	li	a0, 0
	ret

uaccess_fault:
	li	t1, SSTATUS_SUM_BIT
	csrc	sstatus, t1
	sd	zero, CPU_FIXUP_PC(tp)
	li	a0, E_FAULT_NEG
	ret

/*
 * void arch_zero_page(void *dst): 4096 bytes, 64 words per iteration.
 */
	.globl arch_zero_page
arch_zero_page:
	li	t0, 4096
	add	t0, t0, a0
1:
	sd	zero, 0(a0)
	sd	zero, 8(a0)
	sd	zero, 16(a0)
	sd	zero, 24(a0)
	sd	zero, 32(a0)
	sd	zero, 40(a0)
	sd	zero, 48(a0)
	sd	zero, 56(a0)
	sd	zero, 64(a0)
	sd	zero, 72(a0)
	sd	zero, 80(a0)
	sd	zero, 88(a0)
	sd	zero, 96(a0)
	sd	zero, 104(a0)
	sd	zero, 112(a0)
	sd	zero, 120(a0)
	sd	zero, 128(a0)
	sd	zero, 136(a0)
	sd	zero, 144(a0)
	sd	zero, 152(a0)
	sd	zero, 160(a0)
	sd	zero, 168(a0)
	sd	zero, 176(a0)
	sd	zero, 184(a0)
	sd	zero, 192(a0)
	sd	zero, 200(a0)
	sd	zero, 208(a0)
	sd	zero, 216(a0)
	sd	zero, 224(a0)
	sd	zero, 232(a0)
	sd	zero, 240(a0)
	sd	zero, 248(a0)
	sd	zero, 256(a0)
	sd	zero, 264(a0)
	sd	zero, 272(a0)
	sd	zero, 280(a0)
	sd	zero, 288(a0)
	sd	zero, 296(a0)
	sd	zero, 304(a0)
	sd	zero, 312(a0)
	sd	zero, 320(a0)
	sd	zero, 328(a0)
	sd	zero, 336(a0)
	sd	zero, 344(a0)
	sd	zero, 352(a0)
	sd	zero, 360(a0)
	sd	zero, 368(a0)
	sd	zero, 376(a0)
	sd	zero, 384(a0)
	sd	zero, 392(a0)
	sd	zero, 400(a0)
	sd	zero, 408(a0)
	sd	zero, 416(a0)
	sd	zero, 424(a0)
	sd	zero, 432(a0)
	sd	zero, 440(a0)
	sd	zero, 448(a0)
	sd	zero, 456(a0)
	sd	zero, 464(a0)
	sd	zero, 472(a0)
	sd	zero, 480(a0)
	sd	zero, 488(a0)
	sd	zero, 496(a0)
	sd	zero, 504(a0)
	addi	a0, a0, 512
	bne	a0, t0, 1b
	ret

/*
 * void arch_copy_page(void *dst, const void *src): 4096 bytes, 64 words
 * per iteration (the copy-on-write fault's inner loop: 1048 instructions).
 */
	.globl arch_copy_page
arch_copy_page:
	li	t6, 4096
	add	t6, t6, a1
1:
	ld	t0, 0(a1)
	ld	t1, 8(a1)
	ld	t2, 16(a1)
	ld	t3, 24(a1)
	ld	t4, 32(a1)
	ld	t5, 40(a1)
	ld	a2, 48(a1)
	ld	a3, 56(a1)
	ld	a4, 64(a1)
	ld	a5, 72(a1)
	ld	a6, 80(a1)
	ld	a7, 88(a1)
	sd	t0, 0(a0)
	sd	t1, 8(a0)
	sd	t2, 16(a0)
	sd	t3, 24(a0)
	sd	t4, 32(a0)
	sd	t5, 40(a0)
	sd	a2, 48(a0)
	sd	a3, 56(a0)
	sd	a4, 64(a0)
	sd	a5, 72(a0)
	sd	a6, 80(a0)
	sd	a7, 88(a0)
	ld	t0, 96(a1)
	ld	t1, 104(a1)
	ld	t2, 112(a1)
	ld	t3, 120(a1)
	ld	t4, 128(a1)
	ld	t5, 136(a1)
	ld	a2, 144(a1)
	ld	a3, 152(a1)
	ld	a4, 160(a1)
	ld	a5, 168(a1)
	ld	a6, 176(a1)
	ld	a7, 184(a1)
	sd	t0, 96(a0)
	sd	t1, 104(a0)
	sd	t2, 112(a0)
	sd	t3, 120(a0)
	sd	t4, 128(a0)
	sd	t5, 136(a0)
	sd	a2, 144(a0)
	sd	a3, 152(a0)
	sd	a4, 160(a0)
	sd	a5, 168(a0)
	sd	a6, 176(a0)
	sd	a7, 184(a0)
	ld	t0, 192(a1)
	ld	t1, 200(a1)
	ld	t2, 208(a1)
	ld	t3, 216(a1)
	ld	t4, 224(a1)
	ld	t5, 232(a1)
	ld	a2, 240(a1)
	ld	a3, 248(a1)
	ld	a4, 256(a1)
	ld	a5, 264(a1)
	ld	a6, 272(a1)
	ld	a7, 280(a1)
	sd	t0, 192(a0)
	sd	t1, 200(a0)
	sd	t2, 208(a0)
	sd	t3, 216(a0)
	sd	t4, 224(a0)
	sd	t5, 232(a0)
	sd	a2, 240(a0)
	sd	a3, 248(a0)
	sd	a4, 256(a0)
	sd	a5, 264(a0)
	sd	a6, 272(a0)
	sd	a7, 280(a0)
	ld	t0, 288(a1)
	ld	t1, 296(a1)
	ld	t2, 304(a1)
	ld	t3, 312(a1)
	ld	t4, 320(a1)
	ld	t5, 328(a1)
	ld	a2, 336(a1)
	ld	a3, 344(a1)
	ld	a4, 352(a1)
	ld	a5, 360(a1)
	ld	a6, 368(a1)
	ld	a7, 376(a1)
	sd	t0, 288(a0)
	sd	t1, 296(a0)
	sd	t2, 304(a0)
	sd	t3, 312(a0)
	sd	t4, 320(a0)
	sd	t5, 328(a0)
	sd	a2, 336(a0)
	sd	a3, 344(a0)
	sd	a4, 352(a0)
	sd	a5, 360(a0)
	sd	a6, 368(a0)
	sd	a7, 376(a0)
	ld	t0, 384(a1)
	ld	t1, 392(a1)
	ld	t2, 400(a1)
	ld	t3, 408(a1)
	ld	t4, 416(a1)
	ld	t5, 424(a1)
	ld	a2, 432(a1)
	ld	a3, 440(a1)
	ld	a4, 448(a1)
	ld	a5, 456(a1)
	ld	a6, 464(a1)
	ld	a7, 472(a1)
	sd	t0, 384(a0)
	sd	t1, 392(a0)
	sd	t2, 400(a0)
	sd	t3, 408(a0)
	sd	t4, 416(a0)
	sd	t5, 424(a0)
	sd	a2, 432(a0)
	sd	a3, 440(a0)
	sd	a4, 448(a0)
	sd	a5, 456(a0)
	sd	a6, 464(a0)
	sd	a7, 472(a0)
	ld	t0, 480(a1)
	ld	t1, 488(a1)
	ld	t2, 496(a1)
	ld	t3, 504(a1)
	sd	t0, 480(a0)
	sd	t1, 488(a0)
	sd	t2, 496(a0)
	sd	t3, 504(a0)
	addi	a1, a1, 512
	addi	a0, a0, 512
	bne	a1, t6, 1b
	ret

/*
 * int arch_probe_load(uintptr_t va) / _store / _exec
 * Touch va once.  this_cpu()->fixup_pc tells trap_kernel where to resume
 * with a0 = E_FAULT.
 */

	.globl arch_probe_load
arch_probe_load:
	lla	t0, probe_fault
	sd	t0, CPU_FIXUP_PC(tp)
	lb	t1, 0(a0)
	j	probe_ok

	.globl arch_probe_store
arch_probe_store:
	lla	t0, probe_fault
	sd	t0, CPU_FIXUP_PC(tp)
	lb	t1, 0(a0)      /* store back what is there: no visible change */
	sb	t1, 0(a0)
	j	probe_ok

	.globl arch_probe_exec
arch_probe_exec:
	/* Call va; the target must be a `ret`, or fault on the fetch. */
	lla	t0, probe_exec_fault
	sd	t0, CPU_FIXUP_PC(tp)
	addi	sp, sp, -16
	sd	ra, 8(sp)
	jalr	a0
	ld	ra, 8(sp)
	addi	sp, sp, 16
	j	probe_ok

probe_ok:
	sd	zero, CPU_FIXUP_PC(tp)
	li	a0, 0
	ret

	/* trap_kernel resumes here with sp and ra as they were at the fault. */
probe_fault:
	sd	zero, CPU_FIXUP_PC(tp)
	li	a0, E_FAULT_NEG
	ret

probe_exec_fault:
	ld	ra, 8(sp)
	addi	sp, sp, 16
	j	probe_fault

/*
 * void semihost_exit(long *block): semihosting SYS_EXIT (0x18) with the
 * parameter block {ADP_Stopped_ApplicationExit, code}.  QEMU recognises
 * the three-instruction sequence only uncompressed.
 */
	.globl semihost_exit
	.balign 16
semihost_exit:
	mv	a1, a0
	li	a0, 0x18
	.option push
	.option norvc
	slli	x0, x0, 0x1f
	ebreak
	srai	x0, x0, 7
	.option pop
	ret
