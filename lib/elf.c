/*
 * Validation of ELF64 RISC-V executables for the first user program.
 *
 * The file comes from the initrd, so nothing in it is trusted.  Every field
 * is read through elf_rd(), byte by byte in little-endian order, after the
 * range it lies in has been checked against len; so the parser never reads
 * outside data[0..len), works at any alignment, and needs no allocation.
 * All sums of untrusted values are checked for overflow before they are
 * formed (a check like "n > len - off" with off <= len already established).
 *
 * The checks run in a fixed order, so a file with several faults always
 * gets the same error: the ELF header; then each program header in table
 * order (only PT_LOAD is examined, other types are ignored); then, over the
 * segments sorted by vaddr, page-granular overlap; then the entry point.
 * A PT_LOAD with p_memsz == 0 maps nothing: once p_filesz <= p_memsz has
 * been checked it is dropped without looking at its other fields, and it
 * does not count towards ELF_MAX_SEGMENTS.  Segment extents are checked
 * against [lo, hi) in whole pages, because that is how the loader maps
 * them.  Only the R/W/X bits of p_flags are kept.  e_flags (float ABI,
 * RVC), EI_OSABI, p_align and the section headers are not examined.
 *
 * No state outside the call; safe to run concurrently on shared data.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/error.h>
#include <lib/elf.h>

/* e_ident and header field offsets (ELF64). */
enum {
	EI_CLASS = 4,
	EI_DATA = 5,
	EI_VERSION = 6,
	EH_TYPE = 16,
	EH_MACHINE = 18,
	EH_VERSION = 20,
	EH_ENTRY = 24,
	EH_PHOFF = 32,
	EH_EHSIZE = 52,
	EH_PHENTSIZE = 54,
	EH_PHNUM = 56,
	EH_SIZE = 64,
};

/* Program header field offsets (ELF64). */
enum {
	PH_TYPE = 0,
	PH_FLAGS = 4,
	PH_OFFSET = 8,
	PH_VADDR = 16,
	PH_FILESZ = 32,
	PH_MEMSZ = 40,
	PH_SIZE = 56,
};

enum {
	ELFCLASS64 = 2,
	ELFDATA2LSB = 1,
	EV_CURRENT = 1,
	ET_EXEC = 2,
	EM_RISCV = 243,
	PT_LOAD = 1,
	PN_XNUM = 0xffff, /* extended numbering: not supported */
};

#define PAGE_MASK  ((uint64_t)ELF_PAGE_SIZE - 1)
#define PAGE_SHIFT 12

_Static_assert(ELF_PAGE_SIZE == 1u << PAGE_SHIFT, "page shift");

/* Little-endian load of n <= 8 bytes at any alignment; caller bounds it. */
static uint64_t elf_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* Check the ELF header; return the program header table's place. */
static int elf_check_header(const uint8_t *p, size_t len, uint64_t *phoff, uint32_t *phnum)
{
	uint64_t off, size;

	if (len < EH_SIZE)
		return E_BADFMT;
	if (p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
		return E_BADFMT;
	if (p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB || p[EI_VERSION] != EV_CURRENT)
		return E_BADFMT;
	if (elf_rd(p + EH_VERSION, 4) != EV_CURRENT || elf_rd(p + EH_MACHINE, 2) != EM_RISCV ||
	    elf_rd(p + EH_TYPE, 2) != ET_EXEC)
		return E_BADFMT;
	if (elf_rd(p + EH_EHSIZE, 2) != EH_SIZE || elf_rd(p + EH_PHENTSIZE, 2) != PH_SIZE)
		return E_BADFMT;
	*phnum = (uint32_t)elf_rd(p + EH_PHNUM, 2);
	if (*phnum == PN_XNUM)
		return E_BADFMT;
	/* phnum < 2^16, so size cannot overflow; off may be anything. */
	off = elf_rd(p + EH_PHOFF, 8);
	size = (uint64_t)*phnum * PH_SIZE;
	if (off > len || size > len - off)
		return E_BADFMT;
	*phoff = off;
	return 0;
}

/*
 * Check one PT_LOAD header at ph (inside the file) and describe it in *seg.
 * Returns 1 to keep it, 0 to drop it (empty), or a negative error.
 */
static int elf_check_load(const uint8_t *ph, size_t len, uint64_t lo, uint64_t hi,
			  elf_segment_t *seg)
{
	uint64_t end;

	seg->offset = elf_rd(ph + PH_OFFSET, 8);
	seg->vaddr = elf_rd(ph + PH_VADDR, 8);
	seg->filesz = elf_rd(ph + PH_FILESZ, 8);
	seg->memsz = elf_rd(ph + PH_MEMSZ, 8);
	seg->flags = (uint32_t)elf_rd(ph + PH_FLAGS, 4) & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X);
	if (seg->filesz > seg->memsz)
		return E_BADFMT;
	if (seg->memsz == 0)
		return 0;
	if (seg->offset > len || seg->filesz > len - seg->offset)
		return E_BADFMT;
	if (seg->memsz > UINT64_MAX - seg->vaddr)
		return E_BADFMT;
	if ((seg->flags & ELF_SEG_W) && (seg->flags & ELF_SEG_X))
		return E_BADFMT;
	if ((seg->vaddr & PAGE_MASK) != (seg->offset & PAGE_MASK))
		return E_BADFMT;
	/* Every page touched, [vaddr & ~MASK, (end - 1) | MASK], in [lo, hi). */
	end = seg->vaddr + seg->memsz;
	if ((seg->vaddr & ~PAGE_MASK) < lo || ((end - 1) | PAGE_MASK) > hi - 1)
		return E_RANGE;
	return 1;
}

/* Insertion sort by vaddr; n <= ELF_MAX_SEGMENTS. */
static void elf_sort(elf_segment_t *seg, size_t n)
{
	elf_segment_t tmp;
	size_t i, j;

	for (i = 1; i < n; i++) {
		tmp = seg[i];
		for (j = i; j > 0 && seg[j - 1].vaddr > tmp.vaddr; j--)
			seg[j] = seg[j - 1];
		seg[j] = tmp;
	}
}

/*
 * On sorted, non-empty segments: no two share a page, and the entry point
 * lies inside an executable one.  Sorted order makes checking neighbours
 * enough: if a segment reaches into a later one's page, it also reaches
 * into every page in between, including its successor's first.
 */
static int elf_check_layout(const elf_image_t *img)
{
	const elf_segment_t *s;
	uint64_t last_page;
	bool entry_ok = false;
	size_t i;

	for (i = 0; i < img->nsegments; i++) {
		s = &img->seg[i];
		last_page = (s->vaddr + s->memsz - 1) >> PAGE_SHIFT;
		if (i + 1 < img->nsegments && last_page >= img->seg[i + 1].vaddr >> PAGE_SHIFT)
			return E_BADFMT;
		if ((s->flags & ELF_SEG_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	return entry_ok ? 0 : E_BADFMT;
}

int elf_parse(const void *data, size_t len, uint64_t lo, uint64_t hi, elf_image_t *out)
{
	const uint8_t *p = data, *ph;
	elf_image_t img;
	elf_segment_t seg;
	uint64_t phoff = 0;
	uint32_t phnum = 0, i;
	int err;

	if (!out || (!data && len > 0) || lo >= hi)
		return E_INVAL;
	err = elf_check_header(p, len, &phoff, &phnum);
	if (err < 0)
		return err;
	img.entry = elf_rd(p + EH_ENTRY, 8);
	img.nsegments = 0;
	for (i = 0; i < phnum; i++) {
		ph = p + phoff + (uint64_t)i * PH_SIZE;
		if (elf_rd(ph + PH_TYPE, 4) != PT_LOAD)
			continue;
		err = elf_check_load(ph, len, lo, hi, &seg);
		if (err <= 0) {
			if (err < 0)
				return err;
			continue;
		}
		if (img.nsegments == ELF_MAX_SEGMENTS)
			return E_NOSPC;
		img.seg[img.nsegments++] = seg;
	}
	if (img.nsegments == 0)
		return E_BADFMT;
	elf_sort(img.seg, img.nsegments);
	err = elf_check_layout(&img);
	if (err < 0)
		return err;
	*out = img;
	return 0;
}
