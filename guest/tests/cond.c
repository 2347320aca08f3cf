/*
 * Condition codes (ARM ARM C1.2.4) through every consumer: B.cond, CSEL, CSINC, CSINV,
 * CSNEG, CSET and CCMP/CCMN, for all 16 conditions under all 16 NZCV states. Each line
 * shows, per NZCV value 0..15, whether the condition held (B.cond, CSEL) or the resulting
 * flags (CCMP).
 */
#include "rt.h"

#define CONDS(X) X(eq) X(ne) X(cs) X(cc) X(mi) X(pl) X(vs) X(vc) X(hi) X(ls) X(ge) X(lt) X(gt) X(le) X(al) X(nv)

/* B.cond taken? */
#define BCOND(c)                                                                     \
	static NOINLINE int bcond_##c(u64 nzcv)                                      \
	{                                                                            \
		int r;                                                               \
		__asm__ volatile("msr nzcv, %x1\n\tmov %w0, #0\n\tb." #c " 1f\n\t"    \
				 "b 2f\n1:\tmov %w0, #1\n2:"                          \
				 : "=&r"(r) : "r"(nzcv) : "cc");                      \
		return r;                                                            \
	}
CONDS(BCOND)

/* The conditional-select family with condition c; packs four results in one value. */
#define CSEL(c)                                                                      \
	static NOINLINE u64 csel_##c(u64 nzcv)                                       \
	{                                                                            \
		u64 a = 0x10, b = 0x20, r0, r1, r2, r3, r4;                          \
		__asm__ volatile("msr nzcv, %x5\n\t"                                  \
				 "csel %x0, %x6, %x7, " #c "\n\t"                      \
				 "csinc %x1, %x6, %x7, " #c "\n\t"                     \
				 "csinv %x2, %x6, %x7, " #c "\n\t"                     \
				 "csneg %x3, %x6, %x7, " #c "\n\t"                     \
				 "csinc %x4, xzr, xzr, " #c                            \
				 : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3), "=&r"(r4) \
				 : "r"(nzcv), "r"(a), "r"(b) : "cc");                 \
		/* r0: a or b; r1: a or b+1; r2: a or ~b; r3: a or -b; r4: 0 or 1 (cset of the inverse) */ \
		return (r0 == a) | (r1 == a) << 1 | (r2 == a) << 2 | (r3 == a) << 3 | \
		       (u64)(r1 == 0x21) << 4 | (u64)(r2 == ~0x20UL) << 5 |           \
		       (u64)(r3 == (u64)-0x20) << 6 | r4 << 7;                        \
	}
CONDS(CSEL)

/* CCMP with register operands 5 and 7 (5 - 7: N=1, C=0), fallback #imm 0b1010. */
#define CCMP(c)                                                                      \
	static NOINLINE u64 ccmp_##c(u64 nzcv)                                       \
	{                                                                            \
		u64 f, x = 5, y = 7;                                                 \
		__asm__ volatile("msr nzcv, %x1\n\tccmp %x2, %x3, #0xa, " #c "\n\tmrs %x0, nzcv" \
				 : "=&r"(f) : "r"(nzcv), "r"(x), "r"(y) : "cc");       \
		return f >> 28;                                                      \
	}
CONDS(CCMP)

/* CCMN with immediate: x + 3 where x = -3 gives Z=1 C=1; fallback #imm 0b0101. */
#define CCMN(c)                                                                      \
	static NOINLINE u64 ccmn_##c(u64 nzcv)                                       \
	{                                                                            \
		u64 f, x = (u64)-3;                                                  \
		__asm__ volatile("msr nzcv, %x1\n\tccmn %x2, #3, #0x5, " #c "\n\tmrs %x0, nzcv" \
				 : "=&r"(f) : "r"(nzcv), "r"(x) : "cc");               \
		return f >> 28;                                                      \
	}
CONDS(CCMN)

struct cond_fns {
	const char *name;
	int (*b)(u64);
	u64 (*csel)(u64);
	u64 (*ccmp)(u64);
	u64 (*ccmn)(u64);
};
#define ENTRY(c) { #c, bcond_##c, csel_##c, ccmp_##c, ccmn_##c },
static const struct cond_fns conds[] = { CONDS(ENTRY) };

void test_main(void)
{
	printf("cond: rows are conditions, columns NZCV = 0..15\n");
	for (unsigned k = 0; k < ARRAY_SIZE(conds); k++) {
		char b[17], s[16][3], cc[17], cn[17];
		for (unsigned f = 0; f < 16; f++) {
			u64 nzcv = (u64)f << 28;
			b[f] = conds[k].b(nzcv) ? '1' : '0';
			u64 v = conds[k].csel(nzcv);
			snprintf(s[f], 3, "%02lx", v);
			cc[f] = "0123456789abcdef"[conds[k].ccmp(nzcv)];
			cn[f] = "0123456789abcdef"[conds[k].ccmn(nzcv)];
		}
		b[16] = cc[16] = cn[16] = 0;
		printf("%s b=%s ccmp=%s ccmn=%s\n", conds[k].name, b, cc, cn);
		printf("%s csel=", conds[k].name);
		char line[64];
		unsigned n = 0;
		for (unsigned f = 0; f < 16; f++)
			n += (unsigned)snprintf(line + n, sizeof(line) - n, "%s", s[f]);
		printf("%s\n", line);
	}
	/* Flag-setting compares feeding conditions, as compiled code uses them. */
	static const s64 vals[] = { 0, 1, -1, 0x7fffffffffffffff, -0x7fffffffffffffff - 1 };
	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
			s64 a = vals[i], c = vals[j];
			volatile s64 va = a, vc = c;
			u64 ua = (u64)va, uc = (u64)vc;
			printf("cmp %ld,%ld: lt=%d le=%d gt=%d ge=%d lo=%d ls=%d hi=%d hs=%d eq=%d\n", a, c,
			       va < vc, va <= vc, va > vc, va >= vc, ua < uc, ua <= uc, ua > uc, ua >= uc,
			       va == vc);
		}
	}
}
