/*
 * Starting the root task.
 *
 * The initrd is the loader's (/chosen linux,initrd-*) if there is one,
 * else the archive embedded in the kernel image.  The root program is
 * found in it by name, checked by elf_parse, and loaded into frames of the
 * root pool; the root task then owns everything: the root pool (all free
 * RAM), its own cspace, aspace and thread, the debug capability, a device
 * frame for every page of the console UART and an IRQ handler for its
 * interrupt.  A read-only boot-info page (abi/bootinfo.h) says where
 * everything is.
 */
#include <string.h>

#include <abi/bootinfo.h>
#include <abi/error.h>
#include <arch/arch.h>
#include <kern/aspace.h>
#include <kern/assert.h>
#include <kern/console.h>
#include <kern/cspace.h>
#include <kern/debug.h>
#include <kern/irq.h>
#include <kern/pool.h>
#include <kern/root.h>
#include <kern/sched.h>
#include <lib/cpio.h>
#include <lib/elf.h>

extern const char initrd_start[], initrd_end[];

static thread_t *root_thread;
static pool_t *root_pool;

static void must(int err, const char *what)
{
	if (err)
		panic("root task: %s: %s", what, error_name(err));
}

/* A fresh user frame mapped at va with vm; filled from src[0..n). */
static void map_new(aspace_t *as, uaddr_t va, unsigned vm, const void *src, size_t n, size_t off)
{
	paddr_t pa;
	must(pool_alloc_frame(root_pool, FRAME_USER, &pa), "out of memory");
	if (n)
		memcpy((char *)pa2kva(pa) + off, src, n);
	must(aspace_map_frame(as, va, pa, vm), "map");
	user_frame_unref(pa); /* the mapping holds it now */
}

static unsigned seg_vm(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? VM_READ : 0) | ((flags & ELF_SEG_W) ? VM_WRITE : 0) |
	       ((flags & ELF_SEG_X) ? VM_EXEC : 0);
}

static uint64_t load_elf(aspace_t *as, const cpio_entry_t *f)
{
	elf_image_t img;
	must(elf_parse(f->data, f->size, USER_BASE, BOOTINFO_ADDR, &img), "bad ELF");
	for (size_t i = 0; i < img.nsegments; i++) {
		const elf_segment_t *s = &img.seg[i];
		for (uaddr_t va = PAGE_ROUND_DOWN(s->vaddr); va < s->vaddr + s->memsz;
		     va += PAGE_SIZE) {
			/* The part of [vaddr, vaddr + filesz) inside this page. */
			uaddr_t lo = va > s->vaddr ? va : s->vaddr;
			uaddr_t hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE
									   : s->vaddr + s->filesz;
			const char *src = (const char *)f->data + s->offset + (lo - s->vaddr);
			map_new(as, va, seg_vm(s->flags), src, hi > lo ? hi - lo : 0, lo - va);
		}
	}
	return img.entry;
}

static void fill_bootinfo(bootinfo_t *b, const boot_info_t *bi, uint64_t initrd_size,
			  uint64_t initrd_off)
{
	const platform_t *p = &bi->plat;
	b->magic = BOOTINFO_MAGIC;
	b->timebase_hz = p->timebase_hz;
	b->boot_hart = bi->boot_hart;
	for (size_t i = 0; i < p->nharts && b->nharts < BOOTINFO_MAX_HARTS; i++)
		if (p->harts[i].usable)
			b->harts[b->nharts++] = p->harts[i].hartid;
	for (size_t i = 0; i < p->nmem && i < BOOTINFO_MAX_MEM; i++) {
		b->mem_base[i] = p->mem[i].base;
		b->mem_size[i] = p->mem[i].size;
		b->nmem++;
	}
	b->initrd_addr = initrd_size ? INITRD_ADDR + initrd_off : 0;
	b->initrd_size = initrd_size;
	b->cspace_slots = ROOT_CSPACE_SLOTS;
	memcpy(b->bootargs, p->bootargs, sizeof(b->bootargs));
	b->bootargs[sizeof(b->bootargs) - 1] = 0;
}

_Static_assert(sizeof(bootinfo_t) <= PAGE_SIZE, "the boot-info page");

/* Device frames and the IRQ handler for the console UART. */
static uint32_t give_devices(cspace_t *cs, bootinfo_t *b, const platform_t *p, uint32_t slot)
{
	if (p->uart.kind == UART_NONE || frame_is_ram(PAGE_ROUND_DOWN(p->uart.base)))
		return slot; /* no UART, or a device tree that puts it in RAM */
	bootinfo_device_t *d = &b->devices[b->ndevices++];
	const char *compat = p->uart.kind == UART_SIFIVE ? "sifive,uart0" : "ns16550a";
	memcpy(d->compatible, compat, strlen(compat) + 1);
	d->paddr = PAGE_ROUND_DOWN(p->uart.base);
	d->reg_offset = (uint32_t)(p->uart.base - d->paddr);
	d->reg_shift = p->uart.reg_shift;
	d->npages =
	    (uint32_t)((PAGE_ROUND_UP(p->uart.base + p->uart.size) - d->paddr) >> PAGE_SHIFT);
	d->first_slot = slot;
	for (uint32_t i = 0; i < d->npages; i++)
		cspace_install(cspace_slot(cs, slot++),
			       &(cap_t){.type = CAP_DEVFRAME,
					.rights = RIGHT_READ | RIGHT_WRITE,
					.pa = d->paddr + ((paddr_t)i << PAGE_SHIFT)});
	d->irq = p->uart.irq;
	if (d->irq) {
		irq_t *irq;
		must(irq_create(root_pool, d->irq, &irq), "irq");
		d->irq_slot = slot;
		cspace_install(cspace_slot(cs, slot++),
			       &(cap_t){.type = CAP_IRQ, .rights = RIGHTS_ALL, .obj = &irq->obj});
	}
	return slot;
}

static void find_initrd(const boot_info_t *bi, const char **base, size_t *size)
{
	const platform_t *p = &bi->plat;
	if (p->has_initrd && p->initrd_end > p->initrd_start) {
		*base = pa2kva(p->initrd_start);
		*size = p->initrd_end - p->initrd_start;
	} else {
		*base = initrd_start;
		*size = (size_t)(initrd_end - initrd_start);
	}
}

static void install(cspace_t *cs, uint32_t slot, unsigned type, kobj_t *o)
{
	cspace_install(cspace_slot(cs, slot),
		       &(cap_t){.type = (uint8_t)type, .rights = RIGHTS_ALL, .obj = o});
}

void root_start(boot_info_t *bi)
{
	const char *initrd, *name = ROOT_DEFAULT;
	char namebuf[64];
	size_t initrd_size, n;
	cspace_t *cs;
	aspace_t *as;
	thread_t *t;
	cpio_entry_t f;

	root_pool = pool_create_root();
	must(cspace_create(root_pool, ROOT_CSPACE_SLOTS, &cs), "cspace");
	must(aspace_create(root_pool, &as), "aspace");
	must(thread_create(root_pool, &t), "thread");

	const char *v = boot_arg(bi->plat.bootargs, "init", &n);
	if (v && n > 0 && n < sizeof(namebuf)) {
		memcpy(namebuf, v, n);
		namebuf[n] = 0;
		name = namebuf;
	}
	find_initrd(bi, &initrd, &initrd_size);
	int err = cpio_find(initrd, initrd_size, name, &f);
	if (err)
		panic("root task: no program '%s' in the initrd: %s", name, error_name(err));
	uint64_t entry = load_elf(as, &f);

	for (uaddr_t va = ROOT_STACK_TOP - ROOT_STACK_PAGES * PAGE_SIZE; va < ROOT_STACK_TOP;
	     va += PAGE_SIZE)
		map_new(as, va, VM_READ | VM_WRITE, NULL, 0, 0);

	uintptr_t ibase = PAGE_ROUND_DOWN((uintptr_t)initrd);
	for (uintptr_t a = ibase; a < (uintptr_t)initrd + initrd_size; a += PAGE_SIZE)
		must(aspace_map_frame(as, INITRD_ADDR + (a - ibase), kva2pa((void *)a),
				      VM_READ | VM_EXEC),
		     "map initrd"); /* R+X: programs' text can be shared from it */

	install(cs, SLOT_CSPACE, CAP_CSPACE, &cs->obj);
	install(cs, SLOT_ASPACE, CAP_ASPACE, &as->obj);
	install(cs, SLOT_THREAD, CAP_THREAD, &t->obj);
	install(cs, SLOT_POOL, CAP_POOL, &root_pool->obj);
	cspace_install(cspace_slot(cs, SLOT_DEBUG),
		       &(cap_t){.type = CAP_DEBUG, .rights = RIGHTS_ALL});

	paddr_t bpa;
	must(pool_alloc_frame(root_pool, FRAME_USER, &bpa), "bootinfo");
	bootinfo_t *b = pa2kva(bpa);
	fill_bootinfo(b, bi, initrd_size, (uintptr_t)initrd - ibase);
	b->first_free_slot = give_devices(cs, b, &bi->plat, SLOT_FIRST_DEVICE);
	frame_stats_t st;
	frame_get_stats(&st);
	b->frames_total = st.total;
	b->frames_free = frame_free_count();
	must(aspace_map_frame(as, BOOTINFO_ADDR, bpa, VM_READ), "map bootinfo");
	user_frame_unref(bpa);

	thread_configure(t, as, cs, NULL, 0, 16);
	tf_init_user(&t->tf, entry, ROOT_STACK_TOP, BOOTINFO_ADDR);
	sched_wake(t);
	kobj_pin(&t->obj); /* root_check_finished looks at it whatever happens */
	root_thread = t;
	kprintf("rvkern: root task '%s' started, entry %#lx, %zu frames free\n", name,
		(unsigned long)entry, frame_free_count());
}

void root_check_finished(void)
{
	if (!root_thread)
		return;
	if (root_thread->state != THREAD_SUSPENDED && root_thread->state != THREAD_FAULTED)
		return;
	int r = debug_result();
	kprintf("rvkern: root task stopped (%s)\n", r == 1   ? "RESULT: PASS"
						    : r == 2 ? "RESULT: FAIL"
							     : "no result line");
	arch_exit(r == 1 ? 0 : 1);
}
