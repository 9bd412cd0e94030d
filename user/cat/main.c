/*
 * cat: copy standard input to standard output, as it comes (there are no
 * files to name: arguments are refused).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[512];
	ssize_t n;

	if (argc > 1) {
		fprintf(stderr, "cat: no file system: reads standard input only\n");
		return 2;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(1, buf + done, (size_t)(n - done));

			if (w < 0) {
				fprintf(stderr, "cat: write: errno %d\n", errno);
				return 1;
			}
			done += w;
		}
	}
	return n < 0 ? 1 : 0;
}
