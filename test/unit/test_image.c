/*
 * Checks build/Image against the RISC-V Linux Image header layout that
 * U-Boot's booti expects (64 bytes, little endian):
 *   0x00 code0 (a jump to the real entry)  0x04 code1 = 0
 *   0x08 text_offset = 0x200000           0x10 image_size (with .bss)
 *   0x18 flags = 0                        0x20 version = 0.2
 *   0x24 res1  0x28 res2                  0x30 magic "RISCV\0\0\0"
 *   0x38 magic2 "RSC\x05"                 0x3c res3
 * The checker also runs on broken copies of the header, so that it is
 * known to reject what booti would reject.
 */
#include <stdint.h>
#include <string.h>

#include "unit.h"

UNIT_MAIN("image");

static const char *image_path = "build/Image";
static uint8_t *image;
static size_t image_len;

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* NULL if hdr (of an image file_len bytes long) is a valid header, else why. */
static const char *image_check(const uint8_t *hdr, size_t file_len)
{
	if (file_len < 64)
		return "shorter than the header";
	uint32_t code0 = (uint32_t)le(hdr, 4);
	if ((code0 & 0x7f) != 0x6f || ((code0 >> 7) & 0x1f) != 0)
		return "code0 is not a 32-bit jal x0 (j)";
	/* J-type immediate */
	int32_t imm = (int32_t)(((code0 >> 31) & 1) << 20 | ((code0 >> 12) & 0xff) << 12 |
				((code0 >> 20) & 1) << 11 | ((code0 >> 21) & 0x3ff) << 1);
	imm = (imm << 11) >> 11;
	if (imm < 64 || (size_t)imm >= file_len)
		return "code0 does not jump past the header into the image";
	if (le(hdr + 4, 4) != 0)
		return "code1 not zero";
	if (le(hdr + 8, 8) != 0x200000)
		return "text_offset is not 0x200000";
	uint64_t size = le(hdr + 0x10, 8);
	if (size == 0 || size < file_len || size % 4096)
		return "image_size is zero, smaller than the file or not page-aligned";
	if (le(hdr + 0x18, 8) != 0)
		return "flags not zero (little endian)";
	if (le(hdr + 0x20, 4) != 2)
		return "version is not 0.2";
	if (le(hdr + 0x24, 4) != 0 || le(hdr + 0x28, 8) != 0 || le(hdr + 0x3c, 4) != 0)
		return "reserved fields not zero";
	if (memcmp(hdr + 0x30, "RISCV\0\0\0", 8))
		return "bad magic";
	if (memcmp(hdr + 0x38, "RSC\x05", 4))
		return "bad magic2";
	return NULL;
}

static void test_real_image(void)
{
	CHECK(image != NULL);
	const char *why = image_check(image, image_len);
	if (why)
		printf("    %s: %s\n", image_path, why);
	CHECK(why == NULL);
}

static void test_broken_headers_rejected(void)
{
	static const struct { size_t off; uint8_t val; } breaks[] = {
		{ 0x00, 0x13 }, { 0x04, 1 }, { 0x0a, 0x30 }, { 0x10, 0x01 },
		{ 0x18, 1 }, { 0x20, 1 }, { 0x24, 1 }, { 0x28, 1 }, { 0x30, 'X' },
		{ 0x33, 'x' }, { 0x38, 'R' + 1 }, { 0x3b, 0x06 }, { 0x3c, 1 },
	};
	uint8_t hdr[64];
	CHECK(image != NULL);
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		memcpy(hdr, image, 64);
		hdr[breaks[i].off] = breaks[i].val;
		if (image_check(hdr, image_len) == NULL)
			printf("    byte %#zx = %#x was accepted\n", breaks[i].off, breaks[i].val);
		CHECK(image_check(hdr, image_len) != NULL);
	}
	/* image_size smaller than the file, and zero. */
	memcpy(hdr, image, 64);
	memset(hdr + 0x10, 0, 8);
	CHECK(image_check(hdr, image_len) != NULL);
	CHECK(image_check(image, 63) != NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		image_path = argv[1];
	FILE *f = fopen(image_path, "rb");
	if (f) {
		fseek(f, 0, SEEK_END);
		image_len = (size_t)ftell(f);
		fseek(f, 0, SEEK_SET);
		image = malloc(image_len ? image_len : 1);
		if (fread(image, 1, image_len, f) != image_len) {
			free(image);
			image = NULL;
		}
		fclose(f);
	} else {
		printf("    cannot open %s (run make first)\n", image_path);
	}
	RUN(test_real_image);
	RUN(test_broken_headers_rejected);
	free(image);
	UNIT_EXIT();
}
