/*
 * The initrd (a newc cpio archive of the user programs) embedded in the
 * kernel image, page aligned so that its pages can be mapped read-only
 * into the root task without exposing anything else.
 */
	.section .rodata.initrd, "a"
	.balign 4096
	.globl initrd_start, initrd_end
initrd_start:
	.incbin INITRD_FILE
initrd_end:
	.balign 4096
