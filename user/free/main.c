/* free: physical frames (4 KiB pages) in all, free and in use, from the
 * kernel's statistics (DEBUG_STATS). */
#include <stdio.h>

#include <abi/bootinfo.h>
#include <sys.h>

int main(void)
{
	kstats_t s;

	if (sys_invoke(SLOT_DEBUG, DEBUG_STATS, (unsigned long)&s, 0, 0, 0, 0).r0 < 0) {
		fprintf(stderr, "free: cannot read the kernel's statistics\n");
		return 1;
	}
	printf("frames: total %lu free %lu used %lu\n", s.frames_total, s.frames_free,
	       s.frames_total - s.frames_free);
	return 0;
}
