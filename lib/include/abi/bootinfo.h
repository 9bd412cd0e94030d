/*
 * What the root task is given at start.
 *
 * The kernel maps the boot-info page read-only at BOOTINFO_ADDR and passes
 * its address in a0.  The root task's capability space starts with the
 * fixed slots below; device frames and IRQ handlers follow from
 * bootinfo_t.first_free_slot downwards (see the slot fields).
 */
#pragma once

#include <stdint.h>

/* Fixed slots of the root task's capability space. */
enum {
	SLOT_NULL = 0,	       /* always empty */
	SLOT_CSPACE = 1,       /* its own capability space */
	SLOT_ASPACE = 2,       /* its own address space */
	SLOT_THREAD = 3,       /* its own thread */
	SLOT_POOL = 4,	       /* the root memory pool: all free RAM */
	SLOT_DEBUG = 5,	       /* the debug capability */
	SLOT_FIRST_DEVICE = 8, /* device frames, then IRQ handlers */
};

#define ROOT_CSPACE_SLOTS 1024

#define BOOTINFO_ADDR	 0x10000000UL	/* the page, read-only */
#define INITRD_ADDR	 0x20000000UL	/* the initrd, read + execute, when present */
#define ROOT_STACK_TOP	 0x3ffff00000UL /* stack grows down from here */
#define ROOT_STACK_PAGES 16

#define BOOTINFO_MAX_HARTS   32
#define BOOTINFO_MAX_MEM     8
#define BOOTINFO_MAX_DEVICES 16

typedef struct bootinfo_device {
	char compatible[32]; /* e.g. "ns16550a", "sifive,uart0", "riscv,plic0" */
	uint64_t paddr;	     /* physical base of the MMIO range */
	uint32_t npages;     /* device frame caps, one per page */
	uint32_t first_slot; /* slot of the first page's cap */
	uint32_t irq;	     /* interrupt number, 0 if none */
	uint32_t irq_slot;   /* slot of its IRQ handler cap, 0 if none */
	uint32_t reg_offset; /* the registers' offset in the first page */
	uint32_t reg_shift;  /* ns16550: register i is at reg_offset + (i << reg_shift) */
} bootinfo_device_t;

typedef struct bootinfo {
	uint64_t magic; /* BOOTINFO_MAGIC */
	uint64_t timebase_hz;
	uint32_t boot_hart;
	uint32_t nharts; /* usable harts */
	uint32_t harts[BOOTINFO_MAX_HARTS];
	uint32_t nmem;
	uint64_t mem_base[BOOTINFO_MAX_MEM], mem_size[BOOTINFO_MAX_MEM];
	uint64_t frames_total, frames_free; /* at root task start */
	uint64_t initrd_addr, initrd_size;  /* user address of the mapped initrd, 0 if none */
	uint32_t ndevices;
	bootinfo_device_t devices[BOOTINFO_MAX_DEVICES];
	uint32_t first_free_slot; /* first slot not used by the kernel */
	uint32_t cspace_slots;	  /* ROOT_CSPACE_SLOTS */
	char bootargs[256];
} bootinfo_t;

#define BOOTINFO_MAGIC 0x6f666e69746f6f62ULL /* "bootinfo" */
