/*
 * A reader of "newc" (SVR4, magic 070701) cpio archives, as used for the
 * initrd.  Zero copy: entries point into the archive, which may sit at any
 * alignment and is never written.  Nothing in the archive is trusted: a
 * record that does not lie wholly inside the buffer, padding included, is
 * E_BADFMT.  Errors are the constants of <abi/error.h> as they stand (they
 * are already negative: E_BADFMT is -5), never their negation.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CPIO_MODE_TYPE 0170000u /* file type bits of cpio_entry_t.mode */
#define CPIO_MODE_REG  0100000u
#define CPIO_MODE_DIR  0040000u

/* One archive member.  name is NUL-terminated inside the archive. */
typedef struct cpio_entry {
	const char *name;
	size_t namelen; /* without the NUL */
	const void *data;
	size_t size;
	uint32_t mode;
} cpio_entry_t;

/*
 * Read the entry at *offset of archive[0..len); advance *offset to the
 * next.  Returns 1 for an entry, 0 at the trailer, E_BADFMT for a malformed
 * archive (bad magic, non-hex digit, name without NUL / namesize 0, name or
 * data past the end, overflow) or E_INVAL for NULL pointers.  On error
 * neither *offset nor *out is changed.
 */
int cpio_next(const void *archive, size_t len, size_t *offset, cpio_entry_t *out);

/* Drop leading "./" and "/" components of the name *s of length *n (as
 * cpio_find compares names). */
void cpio_strip(const char **s, size_t *n);

/*
 * Find a regular file by name (leading "./" and "/" ignored on both sides).
 * The whole archive is validated first; if a name occurs more than once the
 * last regular file wins, as when extracting.  Returns 0, E_NOENT, or
 * E_BADFMT (E_INVAL for NULL pointers).
 */
int cpio_find(const void *archive, size_t len, const char *name, cpio_entry_t *out);
