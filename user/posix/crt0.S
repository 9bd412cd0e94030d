/*
 * Entry of POSIX programs.  The process server starts a program with
 * a0 = argc, a1 = argv (on the stack's top page), sp below argv and
 * every other register 0; .bss and the thread-local block are fresh
 * zeroed pages.  tp points at the one thread's TLS block, which is the
 * .tdata/.tbss image itself (posix.ld): picolibc keeps errno there.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	lla	tp, __tls_base
	.option pop
	mv	fp, zero
	mv	ra, zero
	call	__posix_start
1:	j	1b
