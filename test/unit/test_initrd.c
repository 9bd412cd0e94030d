/*
 * The initrd that make builds (build/initrd.cpio, tools/mkinitrd.c): every
 * program is there, lib/cpio.c reads it, and every file's data starts on a
 * 4 KiB boundary of the archive (the kernel embeds it page aligned, so the
 * process server can map program pages straight from it).
 */
#include <stdint.h>
#include <string.h>

#include <lib/cpio.h>

#include "unit.h"

UNIT_MAIN("initrd");

static uint8_t *arch;
static size_t len;

static void test_readable_and_aligned(void)
{
	size_t off = 0;
	cpio_entry_t e;
	int n = 0, r;
	CHECK(arch != NULL);
	while ((r = cpio_next(arch, len, &off, &e)) == 1) {
		n++;
		if (e.size) {
			size_t data_off = (size_t)((const uint8_t *)e.data - arch);
			if (data_off % 4096)
				printf("    %.*s: data at %#zx\n", (int)e.namelen, e.name,
				       data_off);
			CHECK_EQ(data_off % 4096, 0);
		}
	}
	CHECK_EQ(r, 0);
	CHECK(n >= 5);
}

static void test_programs_present(void)
{
	static const char *const names[] = {"hello", "utest", "uecho", "ubench", "procsrv"};
	cpio_entry_t e;
	CHECK(arch != NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_EQ(cpio_find(arch, len, names[i], &e), 0);
		CHECK(e.size > 64 && memcmp(e.data,
					    "\x7f"
					    "ELF",
					    4) == 0);
	}
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "build/initrd.cpio";
	FILE *f = fopen(path, "rb");
	if (f) {
		fseek(f, 0, SEEK_END);
		len = (size_t)ftell(f);
		fseek(f, 0, SEEK_SET);
		arch = malloc(len ? len : 1);
		if (fread(arch, 1, len, f) != len) {
			free(arch);
			arch = NULL;
		}
		fclose(f);
	} else {
		printf("    cannot open %s (run make first)\n", path);
	}
	RUN(test_readable_and_aligned);
	RUN(test_programs_present);
	free(arch);
	UNIT_EXIT();
}
