/*
 * Branches: TBZ/TBNZ on every bit, CBZ/CBNZ on W and X, BL/BLR/BR/RET with link checks,
 * far branches, jump tables from dense switches, recursion and indirect calls.
 */
#include "rt.h"

u64 tbnz_mask(u64 v);
u64 tbz_mask(u64 v);
u64 cb_bits(u64 v);
u64 call_via_blr(u64 (*fn)(u64), u64 arg);
u64 lr_check(void);
u64 ret_via_x7(u64 v);
u64 far_branches(u64 v);

static const u64 VALUES[] = {
	0, 1, 0x8000000000000000, 0xffffffffffffffff, 0x100000000, 0xffffffff00000000,
	0x00000000ffffffff, 0x5555555555555555, 0x0123456789abcdef, 0x8000000080000000,
};

/* A dense switch: gcc -O2 compiles it to a bounds check, a table load and BR. */
static NOINLINE u64 dense_switch(unsigned k)
{
	switch (k) {
	case 0: return 11;
	case 1: return 23;
	case 2: return 37;
	case 3: return 41;
	case 4: return 59;
	case 5: return 61;
	case 6: return 79;
	case 7: return 83;
	case 8: return 97;
	case 9: return 101;
	case 10: return 113;
	case 11: return 127;
	case 12: return 131;
	case 13: return 149;
	case 14: return 151;
	case 15: return 163;
	case 17: return 179;
	case 19: return 191;
	default: return 0;
	}
}

/* A switch with code in each case (also a jump table, branching into code). */
static NOINLINE u64 code_switch(unsigned k, u64 x)
{
	switch (k) {
	case 0: x = x * 3 + 1; break;
	case 1: x ^= 0x5a5a; break;
	case 2: x = (x << 7) | (x >> 57); break;
	case 3: x -= 1000; break;
	case 4: x = ~x; break;
	case 5: x = x / 7; break;
	case 6: x = x % 1000; break;
	case 7: x += x >> 3; break;
	case 8: x = (u64)((s64)x >> 2); break;
	case 9: x = x * x; break;
	case 10: x |= 0xf0f0; break;
	default: x = 0; break;
	}
	return x;
}

static NOINLINE u64 ackermann(u64 m, u64 n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

static u64 inc(u64 x) { return x + 1; }
static u64 dbl(u64 x) { return x * 2; }
static u64 sq(u64 x) { return x * x; }
static u64 (*const volatile fns[])(u64) = { inc, dbl, sq };

void test_main(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(VALUES); i++) {
		u64 v = VALUES[i];
		printf("v=%016lx tbnz=%016lx tbz=%016lx cb=%lx\n", v, tbnz_mask(v), tbz_mask(v), cb_bits(v));
	}
	printf("lr after bl: %s\n", lr_check() ? "ok" : "WRONG");
	printf("blr: %lu %lu %lu\n", call_via_blr(fns[0], 41), call_via_blr(fns[1], 21), call_via_blr(fns[2], 9));
	printf("br + ret x7: %lu\n", ret_via_x7(99));
	printf("far: %lx %lx\n", far_branches(0), far_branches(0x8000000000000001));
	u64 h = 0;
	for (unsigned k = 0; k < 22; k++)
		h = h * 31 + dense_switch(k);
	printf("dense switch: %lu %lu %lu hash=%lx\n", dense_switch(0), dense_switch(17), dense_switch(18), h);
	h = 0;
	for (unsigned k = 0; k < 13; k++)
		h = h * 33 + code_switch(k, 0x123456789UL + k);
	printf("code switch hash=%lx\n", h);
	printf("ackermann(2,3)=%lu ackermann(3,3)=%lu\n", ackermann(2, 3), ackermann(3, 3));
	u64 acc = 1;
	for (unsigned k = 0; k < 30; k++)
		acc = fns[k % 3](acc) & 0xffffffff;
	printf("indirect chain: %lu\n", acc);
}
