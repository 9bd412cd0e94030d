/*
 * The one error enum shared by the kernel and user space.
 *
 * The constants are already negative: return E_NOMEM, never -E_NOMEM.
 * Every fallible kernel or library routine returns 0 (or a non-negative
 * value) on success and one of these negative values on failure.  User
 * programs see the same numbers in a0 after a system call.  Never return a
 * bare -1: add a constant here instead, and a line in docs/SYSCALLS.md.
 */
#pragma once

enum {
	E_OK = 0,
	E_INVAL = -1,	 /* malformed argument */
	E_NOMEM = -2,	 /* out of frames or of pool quota */
	E_FAULT = -3,	 /* bad user pointer */
	E_RANGE = -4,	 /* value or address outside the allowed range */
	E_BADFMT = -5,	 /* malformed input image (device tree, ELF, cpio) */
	E_NOENT = -6,	 /* no such node, property, slot or object */
	E_EXISTS = -7,	 /* already present (slot full, address mapped) */
	E_PERM = -8,	 /* capability lacks a right */
	E_TYPE = -9,	 /* capability names an object of the wrong type */
	E_BADCAP = -10,	 /* slot index out of range or slot empty */
	E_NOSPC = -11,	 /* a fixed-size table is full */
	E_CORRUPT = -12, /* an internal consistency check failed */
	E_NOSYS = -13,	 /* unknown system call or invocation label */
	E_BUSY = -14,	 /* object in use */
	E_AGAIN = -15,	 /* try again (would block) */
	E_PIPE = -16,	 /* write to a pipe with no reader left (procsrv) */
	E_BADF = -17,	 /* not an open file descriptor (procsrv) */
};

/* A short name for an error value ("E_NOMEM"); "E_?" for unknown values. */
const char *error_name(int err);
