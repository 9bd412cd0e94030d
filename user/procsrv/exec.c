/*
 * exec_build: a program from the initrd in a fresh address space.
 *
 * The exec buffer is "path\0arg0\0arg1\0...": the program's file name in
 * the initrd and its argument strings.  Everything about the file is
 * checked (the initrd's index, elf_parse) before any object is made, and every
 * object is charged to the process's own pool.  A page of a PT_LOAD
 * segment that holds only file data is the initrd's own frame (the initrd
 * packs every file's data page aligned): mapped with ASPACE_SHARE,
 * read-only for text and rodata (shared by every process running the
 * program), copy-on-write for data.  Boundary pages (file data and bss, or
 * a segment not starting on a page) are fresh frames filled through
 * procsrv's scratch page; whole bss pages are zero pages.  The stack's top
 * page carries the argument strings and the argv array:
 *
 *   PROC_STACK_TOP  +---------------------------+
 *                   | the strings, as sent      |
 *                   | (pad to 16 bytes)         |
 *                   | argv[0..argc-1], NULL     | <- a1, and sp
 *                   +---------------------------+
 *
 * The new program starts at its entry with a0 = argc, a1 = argv, sp just
 * below argv, every other register 0.  On failure the new address space
 * is deleted, which unmaps and frees all of it.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lib/cpio.h>
#include <lib/elf.h>
#include <string.h>

#include "procsrv.h"

static const void *initrd;
static size_t initrd_len;

/*
 * The initrd's regular files, read once: cpio_find parses every header of
 * the archive (about 1,500 instructions each) on every exec.  Names are
 * kept stripped as cpio_find compares them; a later file of the same name
 * replaces an earlier one, as cpio_find's "last one wins".  A malformed
 * archive or one with more than INDEX_MAX files is not indexed, and every
 * lookup then goes to cpio_find (which reports the error).
 */
#define INDEX_MAX 96
static cpio_entry_t files[INDEX_MAX];
static size_t nfiles;
static bool indexed;

static void index_initrd(void)
{
	cpio_entry_t e;
	size_t off = 0, i;
	int r;

	nfiles = 0;
	while ((r = cpio_next(initrd, initrd_len, &off, &e)) == 1) {
		if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_REG)
			continue;
		cpio_strip(&e.name, &e.namelen);
		for (i = 0; i < nfiles; i++) {
			if (files[i].namelen == e.namelen &&
			    memcmp(files[i].name, e.name, e.namelen) == 0)
				break;
		}
		if (i == INDEX_MAX)
			return; /* too many: not indexed */
		files[i] = e;
		nfiles += i == nfiles;
	}
	indexed = r == 0;
}

static int initrd_find(const char *name, cpio_entry_t *out)
{
	size_t n = strlen(name);

	if (!indexed)
		return cpio_find(initrd, initrd_len, name, out);
	cpio_strip(&name, &n);
	for (size_t i = 0; n > 0 && i < nfiles; i++) {
		if (files[i].namelen == n && memcmp(files[i].name, name, n) == 0) {
			*out = files[i];
			return 0;
		}
	}
	return E_NOENT;
}

void exec_set_initrd(const void *addr, size_t size)
{
	initrd = addr;
	initrd_len = size;
	if (initrd != NULL)
		index_initrd();
}

void exec_get_initrd(const void **addr, size_t *size)
{
	*addr = initrd;
	*size = initrd_len;
}

static long inv(unsigned long slot, unsigned long label, unsigned long a2, unsigned long a3,
		unsigned long a4)
{
	return sys_invoke(slot, label, a2, a3, a4, 0, 0).r0;
}

static unsigned long seg_rights(uint32_t flags)
{
	if (flags & ELF_SEG_W)
		return RIGHT_READ | RIGHT_WRITE;
	if (flags & ELF_SEG_X)
		return (flags & ELF_SEG_R) ? RIGHT_READ | RIGHT_EXEC : RIGHT_EXEC;
	return RIGHT_READ;
}

/* A frame of p's pool in PX_TMP, mapped at the scratch page (RW). */
static long tmp_frame_mapped(proc_t *p)
{
	long e = inv(px(p, PX_POOL), POOL_ALLOC_FRAME, px(p, PX_TMP), 0, 0);

	if (e < 0)
		return e;
	e = inv(SLOT_ASPACE, ASPACE_MAP, px(p, PX_TMP), PS_SCRATCH_VA, RIGHT_READ | RIGHT_WRITE);
	if (e < 0)
		cap_delete(px(p, PX_TMP));
	return e;
}

/* Unmap the scratch page, map PX_TMP at va in as with rights, drop the cap. */
static long tmp_frame_place(proc_t *p, unsigned long as, unsigned long va, unsigned long rights)
{
	long e;

	inv(SLOT_ASPACE, ASPACE_UNMAP, PS_SCRATCH_VA, 0, 0);
	e = inv(as, ASPACE_MAP, px(p, PX_TMP), va, rights);
	cap_delete(px(p, PX_TMP));
	return e;
}

/* The pages of s: the ones holding file data (and, for a segment that is
 * not writable, every page) are real frames filled from the file and
 * zero-padded; a writable segment's whole pages past its file data are
 * mapped, all at once, to the zero frame, copy-on-write. */
static long load_segment(proc_t *p, const uint8_t *file, const elf_segment_t *s, unsigned long as)
{
	uint64_t file_end = s->vaddr + s->filesz;
	uint64_t first = s->vaddr & ~(PAGE_SIZE - 1);
	uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t zero_from = end;

	if (s->flags & ELF_SEG_W)
		zero_from = s->filesz ? (file_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) : first;
	for (uint64_t va = first; va < zero_from; va += PAGE_SIZE) {
		/* A page all of file data, page aligned in our initrd mapping:
		 * map the initrd's frame itself (read-only text and rodata
		 * shared by every process running the program; writable data
		 * copy-on-write from it).  Boundary pages are copied. */
		const uint8_t *src = file + s->offset + (va - s->vaddr);
		/* (The last page of read-only text or rodata with no bss may be
		 * partial: the bytes past the segment are unspecified by ELF, and
		 * the initrd is readable by every process anyway.) */
		bool whole = va + PAGE_SIZE <= file_end ||
			     (!(s->flags & ELF_SEG_W) && s->memsz == s->filesz);
		if (s->vaddr <= va && whole && ((uintptr_t)src & (PAGE_SIZE - 1)) == 0 &&
		    (uintptr_t)src + PAGE_SIZE <= (uintptr_t)initrd + initrd_len) {
			bool w = s->flags & ELF_SEG_W;
			long e = sys_invoke(as, ASPACE_SHARE, SLOT_ASPACE, (uintptr_t)src, va,
					    seg_rights(s->flags), w ? SHARE_COW : 0)
				     .r0;
			if (e < 0)
				return e;
			continue;
		}
		long e = tmp_frame_mapped(p);

		if (e < 0)
			return e;
		if (file_end > va && s->vaddr < va + PAGE_SIZE) {
			uint64_t from = s->vaddr > va ? s->vaddr : va;
			uint64_t to = file_end < va + PAGE_SIZE ? file_end : va + PAGE_SIZE;

			memcpy((void *)(PS_SCRATCH_VA + (from - va)),
			       file + s->offset + (from - s->vaddr), to - from);
		}
		e = tmp_frame_place(p, as, va, seg_rights(s->flags));
		if (e < 0)
			return e;
	}
	/* elf_parse bounds every segment by PROC_HEAP_BASE, so the bss is at
	 * most 1 GiB = ZERO_MAX_PAGES pages: one call. */
	if (zero_from < end)
		return inv(as, ASPACE_MAP_ZERO, zero_from, (end - zero_from) / PAGE_SIZE,
			   RIGHT_READ | RIGHT_WRITE);
	return 0;
}

/* The top stack page with the arguments; sets sp, a0, a1 in regs. */
static long build_stack(proc_t *p, const char *args, size_t args_len, unsigned long argc,
			unsigned long as, uint64_t regs[32])
{
	unsigned long page = PROC_STACK_TOP - PAGE_SIZE;
	unsigned long str_va = (PROC_STACK_TOP - args_len) & ~15UL;
	unsigned long argv_va = (str_va - (argc + 1) * 8) & ~15UL;
	uint64_t *argv = (uint64_t *)(PS_SCRATCH_VA + (argv_va - page));
	unsigned long off = 0;
	long e;

	/* The pages below the top one: zero pages, copy-on-write; the first
	 * store to each gets a zeroed frame in the kernel, no procsrv call. */
	if (PROC_STACK_INIT > 1) {
		e = inv(as, ASPACE_MAP_ZERO, PROC_STACK_TOP - PROC_STACK_INIT * PAGE_SIZE,
			PROC_STACK_INIT - 1, RIGHT_READ | RIGHT_WRITE);
		if (e < 0)
			return e;
	}
	e = tmp_frame_mapped(p);
	if (e < 0)
		return e;
	memcpy((void *)(PS_SCRATCH_VA + (str_va - page)), args, args_len);
	for (unsigned long i = 0; i < argc; i++) {
		argv[i] = str_va + off;
		off += strlen(args + off) + 1;
	}
	argv[argc] = 0;
	regs[2] = argv_va;
	regs[10] = argc;
	regs[11] = argv_va;
	return tmp_frame_place(p, as, page, RIGHT_READ | RIGHT_WRITE);
}

/* Split the buffer: the path, then args_len bytes of argc strings. */
static long parse_args(const char *buf, size_t len, const char **args, size_t *args_len,
		       unsigned long *argc)
{
	size_t plen;

	if (len == 0 || len > PS_ARGBUF_MAX || buf[len - 1] != '\0')
		return E_INVAL;
	plen = strlen(buf) + 1;
	*args = buf + plen;
	*args_len = len - plen;
	*argc = 0;
	for (size_t i = plen; i < len; i++)
		*argc += buf[i] == '\0';
	return *argc > PS_ARGV_MAX ? E_INVAL : 0;
}

long exec_build(proc_t *p, const char *buf, size_t len, unsigned long as, uint64_t regs[32])
{
	static elf_image_t img;
	const char *args;
	size_t args_len;
	unsigned long argc;
	cpio_entry_t ent;
	long e;

	e = parse_args(buf, len, &args, &args_len, &argc);
	if (e < 0)
		return e;
	if (initrd == NULL)
		return E_NOENT;
	e = initrd_find(buf, &ent);
	if (e < 0)
		return e;
	e = elf_parse(ent.data, ent.size, PROC_IMAGE_LO, PROC_HEAP_BASE, &img);
	if (e < 0)
		return e;
	e = inv(px(p, PX_POOL), POOL_CREATE, CAP_ASPACE, as, 0);
	if (e < 0)
		return e;
	for (size_t i = 0; i < img.nsegments && e >= 0; i++)
		e = load_segment(p, ent.data, &img.seg[i], as);
	memset(regs, 0, 32 * sizeof(regs[0]));
	regs[0] = img.entry;
	if (e >= 0)
		e = build_stack(p, args, args_len, argc, as, regs);
	if (e < 0)
		cap_delete(as);
	return e;
}
