/*
 * Integer data-processing instructions on edge values.
 * For every instruction in ops.h: a hash over all pairs of EDGES (with varying input
 * NZCV) plus the exact results for three fixed operand pairs.
 */
#include "ops.h"

static const u64 EDGES[] = {
	0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001,
	0xfffffffffffffffe, 0xffffffffffffffff, 0x123456789abcdef0, 0xfedcba9876543210,
	31, 32, 63, 64, 65,
};

static const struct { u64 a, b; } SAMPLES[] = {
	{ 0x8000000000000000, 0xffffffffffffffff },
	{ 0x7fffffff, 1 },
	{ 0x123456789abcdef0, 0xfedcba9876543210 },
};

void test_main(void)
{
	printf("alu: %u instructions x %u edge pairs\n", (unsigned)ARRAY_SIZE(ops),
	       (unsigned)(ARRAY_SIZE(EDGES) * ARRAY_SIZE(EDGES)));
	u64 all = RT_HASH_INIT;
	for (unsigned k = 0; k < ARRAY_SIZE(ops); k++) {
		struct op_result r;
		u64 h = RT_HASH_INIT;
		for (unsigned i = 0; i < ARRAY_SIZE(EDGES); i++) {
			for (unsigned j = 0; j < ARRAY_SIZE(EDGES); j++) {
				u64 fin = (u64)((i * 3 + j) & 15) << 28;
				ops[k].fn(&r, EDGES[i], EDGES[j], fin);
				h = rt_hash(rt_hash(h, r.d), r.nzcv);
			}
		}
		all = rt_hash(all, h);
		char line[200];
		int n = snprintf(line, sizeof(line), "%-14s grid=%016lx", ops[k].name, h);
		for (unsigned s = 0; s < ARRAY_SIZE(SAMPLES); s++) {
			ops[k].fn(&r, SAMPLES[s].a, SAMPLES[s].b, 0x20000000);
			n += snprintf(line + n, sizeof(line) - n, " %lx/%lx", r.d, r.nzcv >> 28);
		}
		printf("%s\n", line);
	}
	printf("alu: all=%016lx\n", all);
}
