/*
 * Smoke test of the runtime: console output, printf formatting, DTB reading, CPU index.
 * Run with -smp 1 (the CPU count line is part of the expected text).
 */
#include "rt.h"

void test_main(void)
{
	printf("hello from the kgdb-lab test runtime\n");
	printf("cpu index %u, mpidr affinity 0x%lx, cpus in DTB %u\n", rt_cpu_index(),
	       rt_read_mpidr() & 0xffffff, rt_cpu_count());
	printf("[%d] [%5d] [%-5d|] [%05d] [%d] [%+d] [%+d]\n", 42, -42, 7, -12, 0, 5, -2147483647 - 1);
	printf("[%u] [%x] [%X] [%08x] [%lx] [%lu] [%ld]\n", 4000000000u, 0xdeadbeefu, 0xabcdefu, 0x1234u,
	       0xfedcba9876543210UL, 18446744073709551615UL, -9223372036854775807L - 1);
	printf("[%s] [%8s] [%-8s|] [%c] [%3c] [%%] [%p]\n", "str", "right", "left", 'x', 'y',
	       (void *)0x40080000UL);
	printf("[%hx] [%hhx] [%hd] [%zu] [%*d] [%-*d|]\n", 0x12345u, 0x1ffu, 0x18000, (size_t)99, 6, 1, 4, 2);
	char buf[8];
	int n = snprintf(buf, sizeof(buf), "%s", "truncated string");
	printf("snprintf: n=%d buf=\"%s\"\n", n, buf);
	u32 len = 0;
	const char *path = fdt_getprop((const void *)RT_DTB_BASE, "/chosen", "stdout-path", &len);
	printf("stdout-path: %s (len %u)\n", path ? path : "(none)", len);
	const u32 *cells = fdt_getprop((const void *)RT_DTB_BASE, "/", "#address-cells", &len);
	printf("/#address-cells: %u (len %u)\n", cells ? __builtin_bswap32(*cells) : 0, len);
	const char *missing = fdt_getprop((const void *)RT_DTB_BASE, "/chosen", "no-such-prop", &len);
	printf("missing property: %s\n", missing ? "found?!" : "not found");
}
