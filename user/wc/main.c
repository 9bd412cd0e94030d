/* wc: lines, words and bytes of standard input, as "lines words bytes". */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	char buf[512];
	unsigned long lines = 0, words = 0, bytes = 0;
	int inword = 0;
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			int blank = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
				    c == '\f';

			lines += c == '\n';
			words += !blank && !inword;
			inword = !blank;
		}
		bytes += (unsigned long)n;
	}
	printf("%lu %lu %lu\n", lines, words, bytes);
	return n < 0 ? 1 : 0;
}
