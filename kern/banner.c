/*
 * The boot banner: everything boot discovered, in a fixed format that the
 * QEMU test harness (test/qemu/boot.sh) parses.  Keep the two in step.
 */
#include <arch/sbi.h>
#include <kern/boot.h>
#include <kern/console.h>
#include <kern/frame.h>

static const char *const rsv_names[RSV_COUNT] = {
	[RSV_FIRMWARE] = "firmware", [RSV_KERNEL] = "kernel",
	[RSV_DTB] = "dtb", [RSV_INITRD] = "initrd", [RSV_BOOTMEM] = "boot",
};

static void banner_harts(const boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	size_t usable = 0;
	for (size_t i = 0; i < p->nharts; i++)
		usable += p->harts[i].usable;
	kprintf("harts: %zu present, %zu usable:", p->nharts, usable);
	for (size_t i = 0; i < p->nharts; i++)
		if (p->harts[i].usable)
			kprintf(" %u", p->harts[i].hartid);
	kprintf("; boot hart %u\n", bi->boot_hart);
	for (size_t i = 0; i < p->nharts; i++) {
		const plat_hart_t *h = &p->harts[i];
		kprintf("  hart %u: %s%s, %s, %s", h->hartid, h->okay ? "okay" : "disabled",
			h->mmu ? "" : ", no MMU", h->isa, h->mmu ? h->mmu_type : "-");
		if (h->plic_sctx >= 0)
			kprintf(", PLIC S-context %d", h->plic_sctx);
		kprintf("%s\n", h->usable ? "" : " (excluded)");
	}
}

static void banner_memory(const boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	for (size_t i = 0; i < p->nmem; i++)
		kprintf("ram: %#lx-%#lx (%lu MiB)\n", (unsigned long)p->mem[i].base,
			(unsigned long)(p->mem[i].base + p->mem[i].size),
			(unsigned long)(p->mem[i].size >> 20));
	kprintf("ram total: %lu MiB\n", (unsigned long)(platform_ram_bytes(p) >> 20));
	for (size_t i = 0; i < p->nrsv; i++)
		kprintf("reserved: %#lx-%#lx %s%s\n", (unsigned long)p->rsv[i].base,
			(unsigned long)(p->rsv[i].base + p->rsv[i].size), p->rsv[i].name,
			p->rsv[i].no_map ? " (no-map)" : "");
	kprintf("reserved: %#lx-%#lx kernel image\n", (unsigned long)bi->kernel.phys_start,
		(unsigned long)bi->kernel.phys_end);
	kprintf("reserved: %#lx-%#lx device tree\n", (unsigned long)bi->dtb_pa,
		(unsigned long)(bi->dtb_pa + bi->dtb_size));
	if (p->has_initrd)
		kprintf("reserved: %#lx-%#lx initrd\n", (unsigned long)p->initrd_start,
			(unsigned long)p->initrd_end);
}

void banner(const boot_info_t *bi)
{
	const platform_t *p = &bi->plat;
	frame_stats_t st;

	kprintf("machine: %s\n", p->model);
	kprintf("sbi: spec %ld.%ld, impl %ld version %#lx%s%s%s%s%s\n",
		sbi_info.spec_version >> 24, sbi_info.spec_version & 0xffffff,
		sbi_info.impl_id, sbi_info.impl_version,
		sbi_info.has_time ? " TIME" : "", sbi_info.has_ipi ? " IPI" : "",
		sbi_info.has_rfence ? " RFENCE" : "", sbi_info.has_hsm ? " HSM" : "",
		sbi_info.has_dbcn ? " DBCN" : "");
	banner_harts(bi);
	banner_memory(bi);
	kprintf("timebase: %lu Hz, tick %lu Hz\n", (unsigned long)p->timebase_hz,
		(unsigned long)bi->tick_hz);
	static const char *const uart_names[] = { "none", "ns16550a", "sifive,uart0" };
	kprintf("console: %s at %#lx irq %u (%s)\n", uart_names[p->uart.kind],
		(unsigned long)p->uart.base, p->uart.irq, p->uart.path);
	if (p->plic.present)
		kprintf("plic: %#lx, %u sources, %u contexts\n", (unsigned long)p->plic.base,
			p->plic.ndev, p->plic.ncontexts);
	if (p->bootargs[0])
		kprintf("bootargs: %s\n", p->bootargs);

	frame_get_stats(&st);
	kprintf("frames: %zu total, %zu free, reserved", st.total, st.free);
	for (int r = 0; r < RSV_COUNT; r++)
		kprintf(" %s %zu", rsv_names[r], bi->rsv_pages[r]);
	kprintf("\n");
}
