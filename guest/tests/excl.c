/*
 * Exclusive and ordered accesses on one CPU (ARM ARM B2.9, C6.2 LDXR/STXR...): status
 * results of STXR/STLXR/STXP for matched, cleared (CLREX, previous STXR, ERET) and
 * mismatched reservations, every access size, pairs, LDAR/STLR, and the LDAXR/STLXR loops
 * gcc emits for __atomic builtins with -mno-outline-atomics.
 */
#include "rt.h"

static u64 mem[16] __attribute__((aligned(64)));

static void reset_mem(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mem); i++)
		mem[i] = 0x1111111111111111UL * (i + 1);
}

#define LDX_STX(ld, st, reg, p, nv)                                                      \
	({                                                                               \
		u64 __old;                                                               \
		u32 __st;                                                                \
		__asm__ volatile(ld " %" reg "0, [%2]\n\t" st " %w1, %" reg "3, [%2]"     \
				 : "=&r"(__old), "=&r"(__st) : "r"(p), "r"(nv) : "memory");   \
		printf("%-6s/%-6s old=%lx status=%u mem=%016lx\n", ld, st, __old, __st, mem[0]); \
	})

static void sizes(void)
{
	reset_mem();
	LDX_STX("ldxrb", "stxrb", "w", mem, 0xa5UL);
	LDX_STX("ldxrh", "stxrh", "w", mem, 0xbeefUL);
	LDX_STX("ldxr", "stxr", "w", mem, 0xcafef00dUL);
	LDX_STX("ldxr", "stxr", "x", mem, 0x0123456789abcdefUL);
	LDX_STX("ldaxrb", "stlxrb", "w", mem, 0x5aUL);
	LDX_STX("ldaxrh", "stlxrh", "w", mem, 0x1234UL);
	LDX_STX("ldaxr", "stlxr", "w", mem, 0x89abcdefUL);
	LDX_STX("ldaxr", "stlxr", "x", mem, 0xfedcba9876543210UL);
}

static u32 stxr_only(u64 *p, u64 v)
{
	u32 st;
	__asm__ volatile("stxr %w0, %1, [%2]" : "=&r"(st) : "r"(v), "r"(p) : "memory");
	return st;
}

static u64 ldxr(u64 *p)
{
	u64 v;
	__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static int svc_handler(struct rt_frame *f, unsigned vector)
{
	return vector == RT_VEC_SYNC_SPX && (f->esr >> 26) == 0x15; /* SVC: ELR already points past it */
}

static void monitor_rules(void)
{
	reset_mem();
	__asm__ volatile("clrex" ::: "memory");
	u32 s1 = stxr_only(&mem[0], 1);
	printf("stxr with no reservation: status=%u mem=%lx\n", s1, mem[0]);

	ldxr(&mem[0]);
	__asm__ volatile("clrex" ::: "memory");
	u32 s2 = stxr_only(&mem[0], 2);
	printf("ldxr, clrex, stxr: status=%u mem=%lx\n", s2, mem[0]);

	ldxr(&mem[0]);
	u32 s3 = stxr_only(&mem[0], 3);
	u32 s4 = stxr_only(&mem[0], 4);
	printf("ldxr, stxr, stxr: status=%u,%u mem=%lx\n", s3, s4, mem[0]);

	ldxr(&mem[0]);
	u32 s5 = stxr_only(&mem[8], 5);
	printf("ldxr a, stxr a+64: status=%u mem[8]=%lx\n", s5, mem[8]);
	__asm__ volatile("clrex" ::: "memory");

	ldxr(&mem[0]);
	ldxr(&mem[8]);
	u32 s6 = stxr_only(&mem[0], 6);
	u32 s7 = stxr_only(&mem[8], 7);
	printf("ldxr a, ldxr b, stxr a, stxr b: status=%u,%u mem=%lx,%lx\n", s6, s7, mem[0], mem[8]);

	rt_set_sync_handler(svc_handler);
	ldxr(&mem[0]);
	__asm__ volatile("svc #0" ::: "memory");
	u32 s8 = stxr_only(&mem[0], 8);
	printf("ldxr, svc+eret, stxr: status=%u mem=%lx\n", s8, mem[0]);
	rt_set_sync_handler(NULL);
}

static void pairs(void)
{
	reset_mem();
	u64 a, b;
	u32 st;
	__asm__ volatile("ldxp %0, %1, [%3]\n\tstxp %w2, %4, %5, [%3]"
			 : "=&r"(a), "=&r"(b), "=&r"(st) : "r"(&mem[2]), "r"(0xaUL), "r"(0xbUL) : "memory");
	printf("ldxp/stxp x: %lx %lx status=%u mem=%lx %lx\n", a, b, st, mem[2], mem[3]);
	__asm__ volatile("ldaxp %w0, %w1, [%3]\n\tstlxp %w2, %w4, %w5, [%3]"
			 : "=&r"(a), "=&r"(b), "=&r"(st) : "r"(&mem[4]), "r"(0xcUL), "r"(0xdUL) : "memory");
	printf("ldaxp/stlxp w: %lx %lx status=%u mem=%lx\n", a, b, st, mem[4]);
	__asm__ volatile("clrex\n\tstxp %w0, %1, %2, [%3]"
			 : "=&r"(st) : "r"(1UL), "r"(2UL), "r"(&mem[6]) : "memory");
	printf("stxp with no reservation: status=%u mem=%lx %lx\n", st, mem[6], mem[7]);
}

static void acquire_release(void)
{
	reset_mem();
	u64 r[4];
	u64 v = 0x8899aabbccddeeffUL;
	__asm__ volatile("stlrb %w0, [%1]\n\tstlrh %w0, [%2]\n\tstlr %w0, [%3]\n\tstlr %0, [%4]"
			 : : "r"(v), "r"(&mem[0]), "r"(&mem[1]), "r"(&mem[2]), "r"(&mem[3]) : "memory");
	__asm__ volatile("ldarb %w0, [%4]\n\tldarh %w1, [%5]\n\tldar %w2, [%6]\n\tldar %3, [%7]"
			 : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3])
			 : "r"(&mem[4]), "r"(&mem[5]), "r"(&mem[6]), "r"(&mem[7]) : "memory");
	printf("ldar: %lx %lx %lx %lx\n", r[0], r[1], r[2], r[3]);
	printf("stlr: %016lx %016lx %016lx %016lx\n", mem[0], mem[1], mem[2], mem[3]);
}

static void builtins(void)
{
	reset_mem();
	volatile u8 *b8 = (u8 *)&mem[0];
	volatile u16 *b16 = (u16 *)&mem[1];
	volatile u32 *b32 = (u32 *)&mem[2];
	volatile u64 *b64 = &mem[3];
	u64 r0 = __atomic_fetch_add(b8, 0xf0, __ATOMIC_SEQ_CST);
	u64 r1 = __atomic_fetch_sub(b16, 0x2222, __ATOMIC_ACQUIRE);
	u64 r2 = __atomic_fetch_or(b32, 0x80000001u, __ATOMIC_RELEASE);
	u64 r3 = __atomic_fetch_xor(b64, ~0UL, __ATOMIC_RELAXED);
	u64 r4 = __atomic_exchange_n(b64, 42, __ATOMIC_ACQ_REL);
	u64 expected = 42;
	bool ok1 = __atomic_compare_exchange_n(b64, &expected, 43, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	u64 exp2 = 1;
	bool ok2 = __atomic_compare_exchange_n(b64, &exp2, 44, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	u32 e32 = 0x33333333;
	bool ok3 = __atomic_compare_exchange_n(b32 + 1, &e32, 7, true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
	u64 r5 = __atomic_add_fetch(&mem[5], 1, __ATOMIC_SEQ_CST);
	u64 r6 = __atomic_and_fetch(&mem[6], 0xf0f0f0f0f0f0f0f0UL, __ATOMIC_SEQ_CST);
	printf("atomics: %lx %lx %lx %lx %lx | cas %d %d(exp %lx) %d(exp %x) | %lx %lx\n", r0, r1, r2, r3, r4,
	       ok1, ok2, exp2, ok3, e32, r5, r6);
	printf("memory: %016lx %016lx %016lx %016lx %016lx %016lx\n", mem[0], mem[1], mem[2], mem[3], mem[5], mem[6]);
	/* A counting loop through the builtins. */
	for (unsigned i = 0; i < 1000; i++)
		__atomic_fetch_add(&mem[10], i, __ATOMIC_SEQ_CST);
	printf("sum loop: %lu\n", mem[10] - 0x1111111111111111UL * 11);
}

void test_main(void)
{
	sizes();
	monitor_rules();
	pairs();
	acquire_release();
	builtins();
}
