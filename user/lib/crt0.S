/*
 * User program entry.  The kernel (or the process server) starts a
 * program with sp at the top of its stack and a0 = its argument (the
 * root task: the boot-info page).  .bss is zero: the loader maps fresh
 * zeroed frames for it.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	mv	fp, zero
	mv	ra, zero
	call	main
	/* main returned: report through the exit path of the library. */
	call	sys_exit_from_main
1:	j	1b
