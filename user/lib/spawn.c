/*
 * spawn_elf: start a program from the initrd in a new address space.
 *
 * The child's aspace, cspace and thread come from SLOT_POOL.  Each page of
 * each PT_LOAD segment is a fresh frame: mapped read-write at
 * LIBOS_SCRATCH_VA in the caller's own address space while the file bytes
 * are copied in (the rest of the page stays zero: frames arrive zeroed),
 * unmapped, then mapped into the child with the segment's rights.  The
 * frame capability is deleted afterwards, so the child's page tables hold
 * the only reference and destroying the child's aspace frees the frame.
 *
 * On any error the three child objects are deleted, which undoes every
 * mapping made so far; the caller's slots are given back.
 */
#include <stdint.h>

#include <lib/cpio.h>
#include <lib/elf.h>
#include <libos.h>
#include <string.h>
#include <sys.h>

/* Programs are linked at 1 MiB (user/user.ld); keep them below the stack. */
#define CHILD_IMAGE_LO 0x1000UL
#define CHILD_IMAGE_HI (CHILD_STACK_TOP - CHILD_STACK_PAGES * PAGE_SIZE)

static const void *initrd_addr;
static size_t initrd_size;

void initrd_set(const void *addr, size_t size)
{
	initrd_addr = addr;
	initrd_size = size;
}

static unsigned long seg_rights(uint32_t flags)
{
	unsigned long r = 0;

	if (flags & (ELF_SEG_R | ELF_SEG_W))
		r |= RIGHT_READ;
	if (flags & ELF_SEG_W)
		r |= RIGHT_WRITE;
	if (flags & ELF_SEG_X)
		r |= RIGHT_EXEC;
	return r;
}

/*
 * Fill the page at page_va of segment s from the file and map it into the
 * child aspace.  tmp is an empty slot of the caller, left empty.
 */
static long load_page(const uint8_t *file, const elf_segment_t *s, uint64_t page_va,
		      unsigned long aspace, unsigned long tmp)
{
	unsigned long rights = seg_rights(s->flags);
	uint64_t file_end = s->vaddr + s->filesz;
	long err;

	if (rights == 0)
		return E_BADFMT;
	err = sys_invoke(SLOT_POOL, POOL_ALLOC_FRAME, tmp, 0, 0, 0, 0).r0;
	if (err < 0)
		return err;
	if (file_end > page_va && s->vaddr < page_va + PAGE_SIZE) {
		uint64_t from = s->vaddr > page_va ? s->vaddr : page_va;
		uint64_t to = file_end < page_va + PAGE_SIZE ? file_end : page_va + PAGE_SIZE;

		err = sys_invoke(SLOT_ASPACE, ASPACE_MAP, tmp, LIBOS_SCRATCH_VA,
				 RIGHT_READ | RIGHT_WRITE, 0, 0)
			  .r0;
		if (err < 0)
			goto out;
		memcpy((void *)(LIBOS_SCRATCH_VA + (from - page_va)),
		       file + s->offset + (from - s->vaddr), to - from);
		err = sys_invoke(SLOT_ASPACE, ASPACE_UNMAP, LIBOS_SCRATCH_VA, 0, 0, 0, 0).r0;
		if (err < 0)
			goto out;
	}
	err = sys_invoke(aspace, ASPACE_MAP, tmp, page_va, rights, 0, 0).r0;
out:
	cap_delete(tmp);
	return err;
}

static long load_image(const uint8_t *file, const elf_image_t *img, unsigned long aspace,
		       unsigned long tmp)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const elf_segment_t *s = &img->seg[i];
		uint64_t va = s->vaddr & ~(PAGE_SIZE - 1);

		for (; va < s->vaddr + s->memsz; va += PAGE_SIZE) {
			long err = load_page(file, s, va, aspace, tmp);

			if (err < 0)
				return err;
		}
	}
	return 0;
}

static long map_stack(unsigned long aspace, unsigned long tmp)
{
	for (unsigned long i = 1; i <= CHILD_STACK_PAGES; i++) {
		long err = sys_invoke(SLOT_POOL, POOL_ALLOC_FRAME, tmp, 0, 0, 0, 0).r0;

		if (err < 0)
			return err;
		err = sys_invoke(aspace, ASPACE_MAP, tmp, CHILD_STACK_TOP - i * PAGE_SIZE,
				 RIGHT_READ | RIGHT_WRITE, 0, 0)
			  .r0;
		cap_delete(tmp);
		if (err < 0)
			return err;
	}
	return 0;
}

static long give_caps(const spawn_args_t *a, unsigned long cspace)
{
	for (size_t i = 0; i < a->ncaps; i++) {
		const spawn_cap_t *c = &a->caps[i];
		long err = c->badge ? cap_mint(cspace, c->src, c->dst, c->rights, c->badge)
				    : cap_copy(cspace, c->src, c->dst, c->rights);

		if (err < 0)
			return err;
	}
	return 0;
}

/* Parse, create, load, start; c's slots are already allocated. */
static long spawn_into(const spawn_args_t *a, const child_t *c, unsigned long tmp)
{
	static elf_image_t img; /* too big for a comfortable stack frame */
	cpio_entry_t ent;
	long err;

	if (initrd_addr == NULL)
		return E_NOENT;
	err = cpio_find(initrd_addr, initrd_size, a->name, &ent);
	if (err < 0)
		return err;
	err = elf_parse(ent.data, ent.size, CHILD_IMAGE_LO, CHILD_IMAGE_HI, &img);
	if (err < 0)
		return err;
	err = sys_invoke(SLOT_POOL, POOL_CREATE, CAP_ASPACE, c->aspace, 0, 0, 0).r0;
	if (err >= 0)
		err =
		    sys_invoke(SLOT_POOL, POOL_CREATE, CAP_CSPACE, c->cspace, a->cspace_slots, 0, 0)
			.r0;
	if (err >= 0)
		err = sys_invoke(SLOT_POOL, POOL_CREATE, CAP_THREAD, c->thread, 0, 0, 0).r0;
	if (err >= 0)
		err = load_image(ent.data, &img, c->aspace, tmp);
	if (err >= 0)
		err = map_stack(c->aspace, tmp);
	if (err >= 0)
		err = give_caps(a, c->cspace);
	if (err >= 0)
		err = sys_invoke(c->thread, THREAD_CONFIGURE, c->aspace, c->cspace, a->fault_ep,
				 a->prio, 0)
			  .r0;
	if (err >= 0)
		err = sys_invoke(c->thread, THREAD_START, img.entry, CHILD_STACK_TOP, a->arg, 0, 0)
			  .r0;
	return err;
}

long spawn_elf(const spawn_args_t *a, child_t *out)
{
	unsigned long mark = slot_mark();
	long s[4];
	long err;

	for (int i = 0; i < 4; i++) {
		s[i] = slot_alloc();
		if (s[i] < 0) {
			slot_release(mark);
			return s[i];
		}
	}
	out->thread = (unsigned long)s[0];
	out->aspace = (unsigned long)s[1];
	out->cspace = (unsigned long)s[2];
	err = spawn_into(a, out, (unsigned long)s[3]);
	if (err < 0) {
		child_destroy(out);
		slot_release(mark);
		return err;
	}
	/* The scratch slot is empty again; hand it back if it is the last. */
	if (slot_mark() == (unsigned long)s[3] + 1)
		slot_release((unsigned long)s[3]);
	return 0;
}

void child_destroy(const child_t *c)
{
	/* Deleting an empty slot is harmless (E_BADCAP): error paths call this
	 * with objects not yet created. */
	sys_invoke(c->thread, THREAD_SUSPEND, 0, 0, 0, 0, 0);
	cap_delete(c->thread);
	cap_delete(c->cspace);
	cap_delete(c->aspace);
}
