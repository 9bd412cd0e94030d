/*
 * mkinitrd: pack files into a newc cpio archive whose file data all start
 * on 4 KiB boundaries.
 *
 * The kernel embeds the archive page aligned, so every program's pages
 * are page aligned in memory too and the process server can map a
 * program's text straight from the initrd (ASPACE_SHARE) instead of
 * copying it.  newc aligns only to 4 bytes; the padding goes into the name
 * field (namesize counts extra NUL bytes, and readers take the name up to
 * the first NUL), so any newc reader still reads the archive.
 *
 * usage: mkinitrd OUT FILE...   (each stored under its base name)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ALIGN 4096u
#define HDR   110u

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "mkinitrd: %s %s: %s\n", what, arg, strerror(errno));
	exit(1);
}

static void pad(FILE *out, unsigned long n)
{
	while (n--)
		fputc(0, out);
}

/* One entry: header, name padded so that the data starts at a multiple of
 * ALIGN (when the file is not empty), data, padding to 4 bytes. */
static unsigned long entry(FILE *out, unsigned long off, const char *name, const char *data,
			   unsigned long size, unsigned mode, unsigned ino)
{
	unsigned long namesize = strlen(name) + 1;
	if (size) {
		unsigned long start = off + HDR + namesize;
		namesize += (ALIGN - start % ALIGN) % ALIGN;
	}
	unsigned long hdr_end = off + HDR + namesize;
	unsigned long name_pad = (4 - hdr_end % 4) % 4;
	fprintf(out, "070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X", ino, mode, 0,
		0, 1, 0, size, 0, 0, 0, 0, namesize, 0);
	fputs(name, out);
	pad(out, namesize - strlen(name) + name_pad);
	if (size)
		fwrite(data, 1, size, out);
	unsigned long data_pad = (4 - size % 4) % 4;
	pad(out, data_pad);
	return hdr_end + name_pad + size + data_pad;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mkinitrd OUT FILE...\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "wb");
	if (!out)
		die("cannot create", argv[1]);
	unsigned long off = 0;
	for (int i = 2; i < argc; i++) {
		FILE *in = fopen(argv[i], "rb");
		if (!in)
			die("cannot open", argv[i]);
		fseek(in, 0, SEEK_END);
		long size = ftell(in);
		fseek(in, 0, SEEK_SET);
		char *data = malloc(size > 0 ? (size_t)size : 1);
		if (!data || (size > 0 && fread(data, 1, (size_t)size, in) != (size_t)size))
			die("cannot read", argv[i]);
		fclose(in);
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		off = entry(out, off, base, data, (unsigned long)size, 0100755, (unsigned)i);
		free(data);
	}
	off = entry(out, off, "TRAILER!!!", NULL, 0, 0, 0);
	pad(out, (512 - off % 512) % 512);
	if (fclose(out))
		die("cannot write", argv[1]);
	return 0;
}
