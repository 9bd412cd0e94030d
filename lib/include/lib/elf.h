/*
 * A validating parser of ELF64 little-endian RISC-V executables.
 *
 * elf_parse() loads nothing: it checks that an untrusted file is a static
 * ET_EXEC image whose PT_LOAD segments can be mapped into a given user
 * window, and describes those segments so that a loader can map them
 * without re-reading the program headers.  The file may sit at any
 * alignment; every field is read byte by byte.  Errors are the constants
 * of <abi/error.h> as they stand (they are already negative: E_BADFMT is
 * -5), never their negation.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16
#define ELF_SEG_R	 4
#define ELF_SEG_W	 2
#define ELF_SEG_X	 1 /* same values as the ELF p_flags PF_R/PF_W/PF_X */

#define ELF_PAGE_SIZE 4096u /* granule of the overlap and range checks */

/* One PT_LOAD segment: file bytes [offset, offset + filesz) go to vaddr,
 * the rest of [vaddr, vaddr + memsz) is zero.  flags is ELF_SEG_*. */
typedef struct elf_segment {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
} elf_segment_t;

/* A validated executable: entry point and non-empty segments by vaddr. */
typedef struct elf_image {
	uint64_t entry;
	size_t nsegments;
	elf_segment_t seg[ELF_MAX_SEGMENTS];
} elf_image_t;

/*
 * Validate the ELF file data[0..len) for loading into user space [lo, hi)
 * and describe its PT_LOAD segments, sorted by vaddr.  Returns 0,
 * E_BADFMT (malformed file), E_RANGE (a page of a segment outside
 * [lo, hi)), E_NOSPC (more than ELF_MAX_SEGMENTS non-empty PT_LOADs) or
 * E_INVAL (out NULL, data NULL with len > 0, or lo >= hi).
 */
int elf_parse(const void *data, size_t len, uint64_t lo, uint64_t hi, elf_image_t *out);
