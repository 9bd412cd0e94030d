/*
 * Platform description from a flattened device tree.
 *
 * platform_parse() runs once at boot, before anything else trusts the
 * tree: it reads RAM, reserved regions, harts, timebase, the console UART,
 * the PLIC and the test finisher into a platform_t, so nothing else walks
 * the DTB.  All tree access goes through lib/fdt.c, which bounds-checks
 * every read; this file adds the semantic checks (cell counts of 1-2 for
 * addresses, whole reg entries, no wrapping ranges, resolvable references)
 * and fills fixed tables, never writing past their PLAT_MAX_* bounds.
 *
 * Address translation: a device's reg is translated through each ancestor
 * bus's "ranges" up to the root.  An empty "ranges" is the identity.  A bus
 * without "ranges", or whose "ranges" has no entry covering the address,
 * leaves the address as it is (the device is not CPU-addressable; the
 * caller sees the bus address).
 *
 * No global state, no allocation; the result is a plain value.
 */
#include <abi/error.h>
#include <lib/fdt.h>
#include <lib/platform.h>
#include <string.h>

#define PLIC_S_EXT_IRQ	  9u /* supervisor external interrupt cause */
#define PLIC_IRQ_UNUSED	  0xffffffffu
#define PLIC_MAX_CONTEXTS 15872 /* the PLIC spec's limit */
#define ALIAS_HOPS	  4	/* alias -> alias chains longer are loops */
#define IRQ_CACHE	  8

/* Copy len bytes of src into dst[n] as a string, truncating. */
static void plat_copy(char *dst, size_t n, const char *src, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Read string property name of node into dst[n]; "" if absent. */
static int plat_copy_string(const fdt_t *fdt, int node, const char *name, char *dst, size_t n)
{
	const char *s;
	int err = fdt_read_string(fdt, node, name, &s);

	if (err == E_NOENT)
		return 0;
	if (err)
		return E_BADFMT;
	plat_copy(dst, n, s, strlen(s));
	return 0;
}

/* #address-cells / #size-cells of bus, usable for reg: 1-2 and 0-2. */
static int plat_bus_cells(const fdt_t *fdt, int bus, uint32_t *ac, uint32_t *sc)
{
	if (fdt_node_cells(fdt, bus, ac, sc))
		return E_BADFMT;
	if (*ac < 1 || *ac > 2 || *sc > 2)
		return E_BADFMT;
	return 0;
}

/* Number of (ac, sc) entries in reg, or E_BADFMT for a partial entry. */
static int plat_reg_count(const fdt_prop_t *reg, uint32_t ac, uint32_t sc)
{
	uint32_t stride = (ac + sc) * 4;

	if (stride == 0 || reg->len % stride)
		return E_BADFMT;
	return (int)(reg->len / stride);
}

/* Entry i of reg; the caller checked i against plat_reg_count(). */
static void plat_reg_entry(const fdt_prop_t *reg, uint32_t ac, uint32_t sc, uint32_t i,
			   uint64_t *base, uint64_t *size)
{
	fdt_prop_cells(reg, i * (ac + sc), ac, base);
	fdt_prop_cells(reg, i * (ac + sc) + ac, sc, size);
}

/* Append a range to table[max] holding *n entries; skips empty ranges. */
static int plat_add_range(plat_range_t *table, size_t *n, size_t max, uint64_t base, uint64_t size,
			  const char *name, bool no_map)
{
	plat_range_t *r;

	if (size == 0)
		return 0;
	if (base + (size - 1) < base)
		return E_BADFMT;
	if (*n >= max)
		return E_NOSPC;
	r = &table[(*n)++];
	r->base = base;
	r->size = size;
	r->no_map = no_map;
	plat_copy(r->name, sizeof(r->name), name, strlen(name));
	return 0;
}

/* Append every reg entry of node (cells ac/sc of its parent). */
static int plat_add_reg(const fdt_t *fdt, int node, uint32_t ac, uint32_t sc, plat_range_t *table,
			size_t *n, size_t max, bool no_map)
{
	const char *name = fdt_node_name(fdt, node);
	fdt_prop_t reg;
	uint64_t base, size;
	int count, i, err;

	err = fdt_get_prop(fdt, node, "reg", &reg);
	if (err == E_NOENT)
		return 0;
	if (err || !name)
		return E_BADFMT;
	count = plat_reg_count(&reg, ac, sc);
	for (i = 0; i < count; i++) {
		plat_reg_entry(&reg, ac, sc, (uint32_t)i, &base, &size);
		err = plat_add_range(table, n, max, base, size, name, no_map);
		if (err)
			return err;
	}
	return count < 0 ? count : 0;
}

/* Map addr through one non-empty ranges property of a bus with child
 * cells cac/csc under a parent with pac address cells. */
static int plat_map_ranges(const fdt_prop_t *ranges, uint32_t cac, uint32_t pac, uint32_t csc,
			   uint64_t *addr)
{
	uint32_t stride = cac + pac + csc, i;
	uint64_t cbase, pbase, size;

	if (ranges->len % (stride * 4))
		return E_BADFMT;
	for (i = 0; i < ranges->len / (stride * 4); i++) {
		fdt_prop_cells(ranges, i * stride, cac, &cbase);
		fdt_prop_cells(ranges, i * stride + cac, pac, &pbase);
		fdt_prop_cells(ranges, i * stride + cac + pac, csc, &size);
		if (*addr >= cbase && *addr - cbase < size) {
			*addr = pbase + (*addr - cbase);
			return 0;
		}
	}
	return E_NOENT;
}

/* Translate addr, a reg address of node, to the root's address space
 * (see the file comment for what is left untranslated). */
static int plat_translate(const fdt_t *fdt, int node, uint64_t *addr)
{
	uint32_t cac, csc, pac, psc;
	fdt_prop_t ranges;
	int bus, up, hop, err;

	for (hop = 0; hop < FDT_MAX_DEPTH; hop++) {
		bus = fdt_parent(fdt, node);
		if (bus < 0)
			return E_BADFMT;
		if (bus == fdt->root)
			return 0;
		err = fdt_get_prop(fdt, bus, "ranges", &ranges);
		if (err == E_NOENT)
			return 0;
		if (err)
			return E_BADFMT;
		if (ranges.len > 0) {
			up = fdt_parent(fdt, bus);
			if (up < 0 || plat_bus_cells(fdt, bus, &cac, &csc) ||
			    plat_bus_cells(fdt, up, &pac, &psc))
				return E_BADFMT;
			err = plat_map_ranges(&ranges, cac, pac, csc, addr);
			if (err == E_NOENT)
				return 0;
			if (err)
				return err;
		}
		node = bus;
	}
	return E_BADFMT;
}

/* First reg entry of device node, translated; 0/0 if it has no reg. */
static int plat_dev_reg(const fdt_t *fdt, int node, uint64_t *base, uint64_t *size)
{
	uint32_t ac, sc;
	fdt_prop_t reg;
	int parent, err;

	*base = *size = 0;
	err = fdt_get_prop(fdt, node, "reg", &reg);
	if (err == E_NOENT)
		return 0;
	parent = fdt_parent(fdt, node);
	if (err || parent < 0 || plat_bus_cells(fdt, parent, &ac, &sc))
		return E_BADFMT;
	err = plat_reg_count(&reg, ac, sc);
	if (err <= 0)
		return err < 0 ? err : E_BADFMT;
	plat_reg_entry(&reg, ac, sc, 0, base, size);
	return plat_translate(fdt, node, base);
}

static bool plat_is_memory(const fdt_t *fdt, int node)
{
	const char *s, *name = fdt_node_name(fdt, node);

	if (fdt_read_string(fdt, node, "device_type", &s) == 0 && strcmp(s, "memory") == 0)
		return true;
	return name && fdt_name_match(name, "memory", 6);
}

/* Every RAM range of every enabled memory node under the root. */
static int plat_parse_mem(platform_t *p, const fdt_t *fdt)
{
	uint32_t ac, sc;
	int node, err;

	if (plat_bus_cells(fdt, fdt->root, &ac, &sc))
		return E_BADFMT;
	for (node = fdt_first_child(fdt, fdt->root); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		if (!plat_is_memory(fdt, node) || !fdt_node_okay(fdt, node))
			continue;
		err = plat_add_reg(fdt, node, ac, sc, p->mem, &p->nmem, PLAT_MAX_MEM, false);
		if (err)
			return err;
	}
	if (node != E_NOENT)
		return node;
	return p->nmem ? 0 : E_NOENT;
}

/* /memreserve/ entries, then every enabled /reserved-memory child. */
static int plat_parse_rsv(platform_t *p, const fdt_t *fdt)
{
	uint64_t addr, size;
	uint32_t cursor = 0, ac, sc;
	int rm, node, err;

	while ((err = fdt_rsv_next(fdt, &cursor, &addr, &size)) == 0) {
		err =
		    plat_add_range(p->rsv, &p->nrsv, PLAT_MAX_RSV, addr, size, "memreserve", false);
		if (err)
			return err;
	}
	if (err != E_NOENT)
		return err;
	rm = fdt_subnode(fdt, fdt->root, "reserved-memory", 15);
	if (rm == E_NOENT)
		return 0;
	if (rm < 0 || plat_bus_cells(fdt, rm, &ac, &sc))
		return E_BADFMT;
	for (node = fdt_first_child(fdt, rm); node >= 0; node = fdt_next_sibling(fdt, node)) {
		fdt_prop_t no_map;
		bool nm = fdt_get_prop(fdt, node, "no-map", &no_map) == 0;

		if (!fdt_node_okay(fdt, node))
			continue;
		err = plat_add_reg(fdt, node, ac, sc, p->rsv, &p->nrsv, PLAT_MAX_RSV, nm);
		if (err)
			return err;
	}
	return node == E_NOENT ? 0 : node;
}

static bool plat_is_cpu(const fdt_t *fdt, int node)
{
	const char *s, *name = fdt_node_name(fdt, node);

	if (fdt_read_string(fdt, node, "device_type", &s) == 0 && strcmp(s, "cpu") == 0)
		return true;
	return name && strncmp(name, "cpu@", 4) == 0;
}

/* Phandle of the riscv,cpu-intc child of cpu, 0 if none. */
static uint32_t plat_cpu_intc(const fdt_t *fdt, int cpu)
{
	uint32_t ph;
	int node;

	for (node = fdt_first_child(fdt, cpu); node >= 0; node = fdt_next_sibling(fdt, node))
		if (fdt_node_compatible(fdt, node, "riscv,cpu-intc"))
			return fdt_node_phandle(fdt, node, &ph) ? 0 : ph;
	return 0;
}

/* Fill *h from cpu node cpu; ac is /cpus' #address-cells. */
static int plat_parse_hart(plat_hart_t *h, const fdt_t *fdt, int cpu, uint32_t ac)
{
	fdt_prop_t reg;
	uint64_t id;
	int err;

	if (fdt_get_prop(fdt, cpu, "reg", &reg) || reg.len == 0 || plat_reg_count(&reg, ac, 0) <= 0)
		return E_BADFMT;
	fdt_prop_cells(&reg, 0, ac, &id);
	if (id > UINT32_MAX)
		return E_BADFMT;
	h->hartid = (uint32_t)id;
	h->okay = fdt_node_okay(fdt, cpu);
	err = plat_copy_string(fdt, cpu, "mmu-type", h->mmu_type, sizeof(h->mmu_type));
	if (err)
		return err;
	h->mmu = h->mmu_type[0] != '\0' && strcmp(h->mmu_type, "riscv,none") != 0;
	h->usable = h->okay && h->mmu;
	err = plat_copy_string(fdt, cpu, "riscv,isa", h->isa, sizeof(h->isa));
	if (!err && h->isa[0] == '\0')
		err = plat_copy_string(fdt, cpu, "riscv,isa-base", h->isa, sizeof(h->isa));
	h->intc_phandle = plat_cpu_intc(fdt, cpu);
	h->plic_sctx = -1;
	return err;
}

/* timebase-frequency of node as a u32 or u64; E_NOENT if absent. */
static int plat_timebase(const fdt_t *fdt, int node, uint64_t *hz)
{
	fdt_prop_t prop;
	int err = fdt_get_prop(fdt, node, "timebase-frequency", &prop);

	if (err)
		return err;
	return fdt_prop_uint(&prop, hz);
}

/* Every cpu under /cpus, and the timebase. */
static int plat_parse_harts(platform_t *p, const fdt_t *fdt)
{
	uint32_t ac, sc;
	int cpus, node, first = -1, err;

	cpus = fdt_subnode(fdt, fdt->root, "cpus", 4);
	if (cpus < 0)
		return cpus;
	if (plat_bus_cells(fdt, cpus, &ac, &sc))
		return E_BADFMT;
	for (node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (!plat_is_cpu(fdt, node))
			continue;
		if (p->nharts >= PLAT_MAX_HARTS)
			return E_NOSPC;
		err = plat_parse_hart(&p->harts[p->nharts], fdt, node, ac);
		if (err)
			return err;
		if (first < 0)
			first = node;
		p->nharts++;
	}
	if (node != E_NOENT)
		return node;
	if (p->nharts == 0)
		return E_NOENT;
	err = plat_timebase(fdt, cpus, &p->timebase_hz);
	if (err == E_NOENT)
		err = plat_timebase(fdt, first, &p->timebase_hz);
	return err == E_NOENT ? 0 : err;
}

/* Property of node whose name is name[0..len) (not NUL-terminated). */
static int plat_prop_n(const fdt_t *fdt, int node, const char *name, size_t len, fdt_prop_t *prop)
{
	int err;

	for (err = fdt_first_prop(fdt, node, prop); err == 0; err = fdt_next_prop(fdt, prop))
		if (strlen(prop->name) == len && memcmp(prop->name, name, len) == 0)
			return 0;
	return err;
}

/* Does /aliases have a property named name[0..len)? */
static bool plat_has_alias(const fdt_t *fdt, const char *name, size_t len)
{
	fdt_prop_t prop;
	int aliases = fdt_subnode(fdt, fdt->root, "aliases", 7);

	return aliases >= 0 && plat_prop_n(fdt, aliases, name, len, &prop) == 0;
}

/* Node named by path[0..len), an absolute path or an alias; its path goes
 * to out[n].  E_BADFMT for a dangling reference or an alias loop. */
static int plat_resolve(const fdt_t *fdt, const char *path, size_t len, char *out, size_t n)
{
	fdt_prop_t prop;
	int aliases, node, hop;

	for (hop = 0; hop < ALIAS_HOPS; hop++) {
		if (len > 0 && path[0] == '/') {
			if (len >= n)
				return E_NOSPC;
			plat_copy(out, n, path, len);
			node = fdt_lookup_path(fdt, path, len);
			return node == E_NOENT ? E_BADFMT : node;
		}
		aliases = fdt_subnode(fdt, fdt->root, "aliases", 7);
		if (aliases < 0 || plat_prop_n(fdt, aliases, path, len, &prop) ||
		    fdt_prop_string(&prop, 0, &path))
			return E_BADFMT;
		len = strlen(path);
	}
	return E_BADFMT;
}

/* Console UART at node: kind, translated reg, irq, reg-shift, clock. */
static int plat_parse_uart(plat_uart_t *u, const fdt_t *fdt, int node)
{
	fdt_prop_t prop;
	int err;

	if (fdt_get_prop(fdt, node, "compatible", &prop) == 0) {
		if (fdt_prop_has_string(&prop, "ns16550a") || fdt_prop_has_string(&prop, "ns16550"))
			u->kind = UART_NS16550A;
		else if (fdt_prop_has_string(&prop, "sifive,uart0"))
			u->kind = UART_SIFIVE;
	}
	err = plat_dev_reg(fdt, node, &u->base, &u->size);
	if (err)
		return err;
	if (fdt_get_prop(fdt, node, "interrupts", &prop) == 0 && prop.len >= 4)
		u->irq = fdt_be32(prop.data);
	err = fdt_read_u32(fdt, node, "reg-shift", &u->reg_shift);
	if (err && err != E_NOENT)
		return E_BADFMT;
	if (fdt_get_prop(fdt, node, "clock-frequency", &prop) == 0 && prop.len == 4)
		u->clock_hz = fdt_be32(prop.data);
	return 0;
}

/* linux,initrd-start/end, each 32 or 64 bits; ignored unless both. */
static int plat_parse_initrd(platform_t *p, const fdt_t *fdt, int chosen)
{
	fdt_prop_t start, end;

	if (fdt_get_prop(fdt, chosen, "linux,initrd-start", &start) ||
	    fdt_get_prop(fdt, chosen, "linux,initrd-end", &end))
		return 0;
	if (fdt_prop_uint(&start, &p->initrd_start) || fdt_prop_uint(&end, &p->initrd_end) ||
	    p->initrd_end < p->initrd_start)
		return E_BADFMT;
	p->has_initrd = true;
	return 0;
}

/* /chosen bootargs, initrd and the console from stdout-path or serial0. */
static int plat_parse_chosen(platform_t *p, const fdt_t *fdt)
{
	const char *path = "serial0", *colon;
	size_t len = 7;
	bool fallback = true;
	int chosen, node, err;

	chosen = fdt_subnode(fdt, fdt->root, "chosen", 6);
	if (chosen >= 0) {
		err = plat_copy_string(fdt, chosen, "bootargs", p->bootargs, sizeof(p->bootargs));
		if (!err)
			err = plat_parse_initrd(p, fdt, chosen);
		if (err)
			return err;
		err = fdt_read_string(fdt, chosen, "stdout-path", &path);
		if (err && err != E_NOENT)
			return E_BADFMT;
		if (err == 0) {
			colon = strchr(path, ':');
			len = colon ? (size_t)(colon - path) : strlen(path);
			fallback = false;
		} else {
			path = "serial0";
		}
	} else if (chosen != E_NOENT) {
		return chosen;
	}
	if (fallback && !plat_has_alias(fdt, path, len))
		return 0;
	node = plat_resolve(fdt, path, len, p->uart.path, sizeof(p->uart.path));
	if (node < 0)
		return node;
	return plat_parse_uart(&p->uart, fdt, node);
}

/* #interrupt-cells of the node with phandle ph, through a small cache. */
typedef struct irq_cache {
	uint32_t phandle[IRQ_CACHE];
	uint32_t cells[IRQ_CACHE];
	unsigned n;
} irq_cache_t;

static int plat_irq_cells(const fdt_t *fdt, irq_cache_t *c, uint32_t ph, uint32_t *cells)
{
	unsigned i, slot;
	int node;

	for (i = 0; i < c->n && i < IRQ_CACHE; i++) {
		if (c->phandle[i] == ph) {
			*cells = c->cells[i];
			return 0;
		}
	}
	node = fdt_lookup_phandle(fdt, ph);
	if (node < 0 || fdt_read_u32(fdt, node, "#interrupt-cells", cells))
		return E_BADFMT;
	slot = c->n++ % IRQ_CACHE;
	c->phandle[slot] = ph;
	c->cells[slot] = *cells;
	return 0;
}

/* Count the PLIC contexts in interrupts-extended and give each hart the
 * first context that routes the S-mode external irq to its intc. */
static int plat_plic_contexts(platform_t *p, const fdt_t *fdt, const fdt_prop_t *ie)
{
	irq_cache_t cache = {.n = 0};
	uint32_t ncells = ie->len / 4, pos = 0, ph, cells, irq, ctx = 0;
	size_t h;

	if (ie->len % 4)
		return E_BADFMT;
	while (pos < ncells) {
		ph = fdt_be32(ie->data + (size_t)pos * 4);
		if (ctx >= PLIC_MAX_CONTEXTS || plat_irq_cells(fdt, &cache, ph, &cells) ||
		    cells > ncells - pos - 1)
			return E_BADFMT;
		irq = cells ? fdt_be32(ie->data + ((size_t)pos + 1) * 4) : PLIC_IRQ_UNUSED;
		for (h = 0; h < p->nharts && irq == PLIC_S_EXT_IRQ; h++)
			if (p->harts[h].intc_phandle == ph && p->harts[h].plic_sctx < 0)
				p->harts[h].plic_sctx = (int)ctx;
		pos += 1 + cells;
		ctx++;
	}
	p->plic.ncontexts = ctx;
	return 0;
}

static int plat_parse_plic(platform_t *p, const fdt_t *fdt, int node)
{
	fdt_prop_t ie;
	int err;

	p->plic.present = true;
	err = plat_dev_reg(fdt, node, &p->plic.base, &p->plic.size);
	if (err)
		return err;
	err = fdt_read_u32(fdt, node, "riscv,ndev", &p->plic.ndev);
	if (err && err != E_NOENT)
		return E_BADFMT;
	err = fdt_get_prop(fdt, node, "interrupts-extended", &ie);
	if (err == E_NOENT)
		return 0;
	return err ? E_BADFMT : plat_plic_contexts(p, fdt, &ie);
}

/* One pass over every node for the PLIC and the test finisher. */
static int plat_parse_devices(platform_t *p, const fdt_t *fdt)
{
	fdt_prop_t compat;
	uint64_t size;
	bool have_test = false;
	int node, err = 0;

	for (node = fdt->root; node >= 0 && !err; node = fdt_next_node(fdt, node, NULL)) {
		if (fdt_get_prop(fdt, node, "compatible", &compat))
			continue;
		if (!p->plic.present && (fdt_prop_has_string(&compat, "riscv,plic0") ||
					 fdt_prop_has_string(&compat, "sifive,plic-1.0.0")))
			err = plat_parse_plic(p, fdt, node);
		if (!err && !have_test && fdt_prop_has_string(&compat, "sifive,test0")) {
			have_test = true;
			err = plat_dev_reg(fdt, node, &p->test_base, &size);
		}
	}
	if (err)
		return err;
	return node == E_NOENT ? 0 : node;
}

static int plat_parse_model(platform_t *p, const fdt_t *fdt)
{
	int err;

	err = plat_copy_string(fdt, fdt->root, "model", p->model, sizeof(p->model));
	if (!err && p->model[0] == '\0')
		err = plat_copy_string(fdt, fdt->root, "compatible", p->model, sizeof(p->model));
	return err;
}

int platform_parse(platform_t *p, const void *blob, size_t max_len)
{
	fdt_t fdt;
	int err;

	memset(p, 0, sizeof(*p));
	err = fdt_init(&fdt, blob, max_len);
	if (err)
		return E_BADFMT;
	p->boot_cpuid = fdt.boot_cpuid;
	err = plat_parse_model(p, &fdt);
	if (!err)
		err = plat_parse_mem(p, &fdt);
	if (!err)
		err = plat_parse_rsv(p, &fdt);
	if (!err)
		err = plat_parse_harts(p, &fdt);
	if (!err)
		err = plat_parse_chosen(p, &fdt);
	if (!err)
		err = plat_parse_devices(p, &fdt);
	/* Only the three documented errors leave this function. */
	if (err && err != E_NOSPC && err != E_NOENT)
		err = E_BADFMT;
	return err;
}

long platform_dtb_size(const void *blob, size_t max_len)
{
	fdt_t fdt;
	int err = fdt_init(&fdt, blob, max_len);

	return err ? err : (long)fdt.totalsize;
}

int platform_hart_index(const platform_t *p, uint32_t hartid)
{
	size_t i;

	for (i = 0; i < p->nharts && i < PLAT_MAX_HARTS; i++)
		if (p->harts[i].hartid == hartid)
			return (int)i;
	return -1;
}

uint64_t platform_ram_bytes(const platform_t *p)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < p->nmem && i < PLAT_MAX_MEM; i++)
		total += p->mem[i].size;
	return total;
}
