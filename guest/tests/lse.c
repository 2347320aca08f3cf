/*
 * Armv8.1 LSE atomics (ARM ARM C3.2.12 "Atomic memory operations", C6.2 CAS/CASP/SWP),
 * built with -march=armv8.1-a and compared against QEMU -cpu max: every LD<op> in every
 * size, the ordering variants, ST<op> aliases, SWP, CAS and CASP, on random operands.
 * Each line: the instruction, a hash over ITERATIONS random (memory, operand) pairs of the
 * returned old value and the memory afterwards, and one sample result.
 */
#include "rt.h"

#define ITERATIONS 400

typedef void (*amo_fn)(u64 *p, u64 s, u64 c, u64 *old);

/* LD<op>/SWP: Rs = operand, Rt = old value. c is unused. */
#define AMO(id, insn, reg)                                                             \
	static NOINLINE void amo_##id(u64 *p, u64 s, u64 c, u64 *old)                    \
	{                                                                              \
		u64 o;                                                                 \
		(void)c;                                                               \
		__asm__ volatile(insn " %" reg "1, %" reg "0, [%2]"                     \
				 : "=&r"(o) : "r"(s), "r"(p) : "memory");               \
		*old = o;                                                              \
	}
/* ST<op>: no result register (an alias of LD<op> with Rt = XZR). */
#define STO(id, insn, reg)                                                             \
	static NOINLINE void amo_##id(u64 *p, u64 s, u64 c, u64 *old)                    \
	{                                                                              \
		(void)c;                                                               \
		__asm__ volatile(insn " %" reg "0, [%1]" : : "r"(s), "r"(p) : "memory"); \
		*old = 0;                                                              \
	}
/* CAS: Rs = compare value (receives the old value), Rt = new value. */
#define CAS(id, insn, reg)                                                             \
	static NOINLINE void amo_##id(u64 *p, u64 s, u64 c, u64 *old)                    \
	{                                                                              \
		u64 o = c;                                                             \
		__asm__ volatile(insn " %" reg "0, %" reg "1, [%2]"                     \
				 : "+&r"(o) : "r"(s), "r"(p) : "memory");               \
		*old = o;                                                              \
	}

#define AMO_LIST(X)                                                                    \
	X(AMO, ldaddb, "ldaddb", "w") X(AMO, ldaddh, "ldaddh", "w")                       \
	X(AMO, ldadd_w, "ldadd", "w") X(AMO, ldadd_x, "ldadd", "x")                       \
	X(AMO, ldadda_x, "ldadda", "x") X(AMO, ldaddl_w, "ldaddl", "w")                   \
	X(AMO, ldaddal_x, "ldaddal", "x") X(AMO, ldaddalb, "ldaddalb", "w")               \
	X(AMO, ldclrb, "ldclrb", "w") X(AMO, ldclrh, "ldclrah", "w")                      \
	X(AMO, ldclr_w, "ldclrl", "w") X(AMO, ldclr_x, "ldclral", "x")                    \
	X(AMO, ldeorb, "ldeorlb", "w") X(AMO, ldeorh, "ldeorh", "w")                      \
	X(AMO, ldeor_w, "ldeora", "w") X(AMO, ldeor_x, "ldeor", "x")                      \
	X(AMO, ldsetb, "ldsetab", "w") X(AMO, ldseth, "ldsetalh", "w")                    \
	X(AMO, ldset_w, "ldset", "w") X(AMO, ldset_x, "ldsetl", "x")                      \
	X(AMO, ldsmaxb, "ldsmaxb", "w") X(AMO, ldsmaxh, "ldsmaxh", "w")                   \
	X(AMO, ldsmax_w, "ldsmaxa", "w") X(AMO, ldsmax_x, "ldsmaxal", "x")                \
	X(AMO, ldsminb, "ldsminlb", "w") X(AMO, ldsminh, "ldsminah", "w")                 \
	X(AMO, ldsmin_w, "ldsmin", "w") X(AMO, ldsmin_x, "ldsmin", "x")                   \
	X(AMO, ldumaxb, "ldumaxb", "w") X(AMO, ldumaxh, "ldumaxlh", "w")                  \
	X(AMO, ldumax_w, "ldumaxal", "w") X(AMO, ldumax_x, "ldumax", "x")                 \
	X(AMO, lduminb, "lduminalb", "w") X(AMO, lduminh, "lduminh", "w")                 \
	X(AMO, ldumin_w, "ldumin", "w") X(AMO, ldumin_x, "ldumina", "x")                  \
	X(AMO, swpb, "swpb", "w") X(AMO, swph, "swpalh", "w")                             \
	X(AMO, swp_w, "swpl", "w") X(AMO, swp_x, "swpa", "x")                             \
	X(STO, staddb, "staddb", "w") X(STO, staddl_x, "staddl", "x")                     \
	X(STO, stclrh, "stclrh", "w") X(STO, steor_w, "steor", "w")                       \
	X(STO, stset_x, "stsetl", "x") X(STO, stsmax_w, "stsmax", "w")                    \
	X(STO, stsmin_x, "stsmin", "x") X(STO, stumaxb, "stumaxb", "w")                   \
	X(STO, stumin_x, "stuminl", "x")                                                  \
	X(CAS, casb, "casb", "w") X(CAS, cash, "casah", "w")                              \
	X(CAS, cas_w, "casl", "w") X(CAS, cas_x, "cas", "x")                              \
	X(CAS, casal_x, "casal", "x") X(CAS, casalb, "casalb", "w")

#define DEFINE(kind, id, insn, reg) kind(id, insn, reg)
AMO_LIST(DEFINE)

struct amo_desc {
	const char *name;
	amo_fn fn;
	bool is_cas;
};
#define ENTRY(kind, id, insn, reg) { insn "_" reg, amo_##id, __builtin_strcmp(#kind, "CAS") == 0 },
static const struct amo_desc amos[] = { AMO_LIST(ENTRY) };

/* CASP on two 64-bit pairs: compare (c0,c1) with memory, swap in (n0,n1). */
static NOINLINE void casp_x(u64 *p, u64 c0, u64 c1, u64 n0, u64 n1, u64 *o0, u64 *o1)
{
	register u64 x4 __asm__("x4") = c0;
	register u64 x5 __asm__("x5") = c1;
	register u64 x6 __asm__("x6") = n0;
	register u64 x7 __asm__("x7") = n1;
	__asm__ volatile("caspal x4, x5, x6, x7, [%4]" : "+r"(x4), "+r"(x5) : "r"(x6), "r"(x7), "r"(p) : "memory");
	*o0 = x4;
	*o1 = x5;
}

static NOINLINE void casp_w(u64 *p, u64 c0, u64 c1, u64 n0, u64 n1, u64 *o0, u64 *o1)
{
	register u64 x8 __asm__("x8") = c0;
	register u64 x9 __asm__("x9") = c1;
	register u64 x10 __asm__("x10") = n0;
	register u64 x11 __asm__("x11") = n1;
	__asm__ volatile("casp w8, w9, w10, w11, [%4]" : "+r"(x8), "+r"(x9) : "r"(x10), "r"(x11), "r"(p) : "memory");
	*o0 = x8;
	*o1 = x9;
}

static u64 slot[4] __attribute__((aligned(16)));

void test_main(void)
{
	/* ID_AA64ISAR0_EL1 is not printed: it legitimately differs between CPU models. */
	printf("lse: %u atomic instructions x %u random operands\n", (unsigned)ARRAY_SIZE(amos), ITERATIONS);
	u64 all = RT_HASH_INIT;
	for (unsigned k = 0; k < ARRAY_SIZE(amos); k++) {
		u64 seed = 0x2545f4914f6cdd1dUL * (k + 7);
		u64 h = RT_HASH_INIT;
		u64 old;
		for (unsigned i = 0; i < ITERATIONS; i++) {
			u64 m = rt_rand_operand(&seed);
			u64 s = rt_rand_operand(&seed);
			/* CAS: compare against the current value half the time (success path). */
			u64 c = (i & 1) ? m : rt_rand_operand(&seed);
			slot[0] = m;
			amos[k].fn(&slot[0], s, c, &old);
			h = rt_hash(rt_hash(h, old), slot[0]);
		}
		slot[0] = 0x8000000180808080UL;
		amos[k].fn(&slot[0], 0x7fffffff7f7f8081UL, amos[k].is_cas ? 0x8000000180808080UL : 0, &old);
		printf("%-10s %016lx  sample old=%lx mem=%016lx\n", amos[k].name, h, old, slot[0]);
		all = rt_hash(all, h);
	}
	u64 o0, o1;
	slot[0] = 1, slot[1] = 2;
	casp_x(slot, 1, 2, 10, 20, &o0, &o1);
	printf("caspal x (match):    old %lx %lx mem %lx %lx\n", o0, o1, slot[0], slot[1]);
	casp_x(slot, 1, 2, 30, 40, &o0, &o1);
	printf("caspal x (mismatch): old %lx %lx mem %lx %lx\n", o0, o1, slot[0], slot[1]);
	slot[2] = 0x0000000500000006UL;
	casp_w(&slot[2], 6, 5, 0xffffffff, 0x12345678, &o0, &o1);
	printf("casp w (match):      old %lx %lx mem %016lx\n", o0, o1, slot[2]);
	casp_w(&slot[2], 6, 5, 1, 1, &o0, &o1);
	printf("casp w (mismatch):   old %lx %lx mem %016lx\n", o0, o1, slot[2]);
	/* gcc's own LSE code for __atomic builtins with -march=armv8.1-a. */
	u64 cnt = 0;
	for (unsigned i = 0; i < 100; i++)
		__atomic_fetch_add(&cnt, i, __ATOMIC_SEQ_CST);
	u64 e = 4950;
	bool ok = __atomic_compare_exchange_n(&cnt, &e, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	u64 x = __atomic_exchange_n(&cnt, 77, __ATOMIC_SEQ_CST);
	printf("builtins: ok=%d x=%lu cnt=%lu\n", ok, x, cnt);
	printf("lse: all=%016lx\n", all);
}
