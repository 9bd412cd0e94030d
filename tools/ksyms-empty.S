/* The symbol table of the first link pass: empty. */
	.section .rodata.ksyms, "a"
	.balign 8
	.globl ksyms, ksyms_count
ksyms_count:
	.dword 0
ksyms:
