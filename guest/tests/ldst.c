/*
 * Loads and stores of every size and addressing mode (ARM ARM C3.3): unsigned scaled
 * offsets (including the largest), unscaled LDUR/STUR with negative offsets, pre- and
 * post-index writeback, register offsets with LSL/UXTW/SXTW/SXTX, sign-extending loads to
 * W and X, pairs (LDP/STP/LDPSW/LDNP/STNP), literals, SP-based forms, XZR stores and loads,
 * PRFM, and LDTR/STTR. All accesses are naturally aligned (unaligned ones fault with the
 * MMU off; the exceptions test covers that).
 */
#include "rt.h"

u64 literal_loads(u64 *out);
u64 sp_forms(void);
u64 load_to_zr(u64 *p);

#define BUF_BYTES 40960
static u64 buf[BUF_BYTES / 8] __attribute__((aligned(64)));

static void fill(void)
{
	u8 *b = (u8 *)buf;
	for (unsigned i = 0; i < BUF_BYTES; i++)
		b[i] = (u8)(i * 0x9d + 0x53 + (i >> 8));
}

static u64 buf_hash(void)
{
	u64 h = RT_HASH_INIT;
	for (unsigned i = 0; i < BUF_BYTES / 8; i++)
		h = rt_hash(h, buf[i]);
	return h;
}

static void unsigned_offsets(void)
{
	u8 *b = (u8 *)buf;
	u64 r[16];
	__asm__ volatile(
		"ldrb  %w0, [%16, #4095]\n\t"
		"ldrsb %w1, [%16, #4094]\n\t"
		"ldrsb %x2, [%16, #4094]\n\t"
		"ldrh  %w3, [%16, #8190]\n\t"
		"ldrsh %w4, [%16, #8188]\n\t"
		"ldrsh %x5, [%16, #8186]\n\t"
		"ldr   %w6, [%16, #16380]\n\t"
		"ldrsw %x7, [%16, #16376]\n\t"
		"ldr   %x8, [%16, #32760]\n\t"
		"ldrb  %w9, [%16]\n\t"
		"ldrsb %x10, [%16, #1]\n\t"
		"ldrh  %w11, [%16, #2]\n\t"
		"ldrsh %w12, [%16, #6]\n\t"
		"ldr   %w13, [%16, #4]\n\t"
		"ldrsw %x14, [%16, #12]\n\t"
		"ldr   %x15, [%16, #8]\n\t"
		: "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]),
		  "=&r"(r[7]), "=&r"(r[8]), "=&r"(r[9]), "=&r"(r[10]), "=&r"(r[11]), "=&r"(r[12]),
		  "=&r"(r[13]), "=&r"(r[14]), "=&r"(r[15])
		: "r"(b) : "memory");
	for (unsigned i = 0; i < 16; i++)
		printf("uoff[%u] = %016lx\n", i, r[i]);
}

static void unscaled_offsets(void)
{
	u8 *mid = (u8 *)buf + 2048;
	u64 r[8];
	__asm__ volatile(
		"ldurb  %w0, [%8, #-1]\n\t"
		"ldursb %x1, [%8, #-3]\n\t"
		"ldurh  %w2, [%8, #-256]\n\t"
		"ldursh %w3, [%8, #-2]\n\t"
		"ldur   %w4, [%8, #-4]\n\t"
		"ldursw %x5, [%8, #252]\n\t"
		"ldur   %x6, [%8, #-256]\n\t"
		"ldur   %x7, [%8, #248]\n\t"
		: "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]),
		  "=&r"(r[7])
		: "r"(mid) : "memory");
	for (unsigned i = 0; i < 8; i++)
		printf("unscaled[%u] = %016lx\n", i, r[i]);
	u64 v = 0xa1b2c3d4e5f60718;
	__asm__ volatile(
		"sturb %w1, [%0, #-17]\n\t"
		"sturh %w1, [%0, #-34]\n\t"
		"stur  %w1, [%0, #-68]\n\t"
		"stur  %x1, [%0, #-136]\n\t"
		"stur  %x1, [%0, #248]\n\t"
		: : "r"(mid), "r"(v) : "memory");
	printf("unscaled stores: hash %016lx\n", buf_hash());
}

static void writeback(void)
{
	u8 *b = (u8 *)buf + 4096;
	u8 *p;
	u64 v1, v2, v3;
	p = b;
	__asm__ volatile("ldr %x1, [%0, #16]!" : "+r"(p), "=r"(v1) : : "memory");
	printf("ldr pre  +16: v=%016lx base+%ld\n", v1, (s64)(p - b));
	p = b;
	__asm__ volatile("ldr %x1, [%0], #-256" : "+r"(p), "=r"(v1) : : "memory");
	printf("ldr post -256: v=%016lx base%ld\n", v1, (s64)(p - b));
	p = b;
	__asm__ volatile("ldrsh %x1, [%0, #-2]!\n\tldrsb %w2, [%0], #255\n\tldrh %w3, [%0, #1]!"
			 : "+r"(p), "=&r"(v1), "=&r"(v2), "=&r"(v3) : : "memory");
	printf("ldrsh pre/ldrsb post/ldrh pre: %lx %lx %lx base+%ld\n", v1, v2, v3, (s64)(p - b));
	p = b;
	__asm__ volatile("ldrsw %x1, [%0, #4]!\n\tldr %w2, [%0], #-12\n\tldur %x3, [%0, #-8]"
			 : "+r"(p), "=&r"(v1), "=&r"(v2), "=&r"(v3) : : "memory");
	printf("ldrsw pre/ldr w post: %lx %lx %lx base%ld\n", v1, v2, v3, (s64)(p - b));
	p = b;
	u64 s = 0x0102030405060708;
	__asm__ volatile("strb %w1, [%0, #3]!\n\tstrh %w1, [%0, #-1]!\n\tstr %w1, [%0, #2]!\n\tstr %w1, [%0], #4\n\t"
			 "str %x1, [%0, #248]!\n\tstr %x1, [%0], #-255"
			 : "+r"(p) : "r"(s) : "memory");
	printf("store writeback: base%+ld hash %016lx\n", (s64)(p - b), buf_hash());
}

static void register_offsets(void)
{
	u8 *b = (u8 *)buf + 8192;
	u64 r[10];
	u64 i3 = 3, ineg = (u64)-5, i7 = 7;
	u32 w5 = 5, wneg = (u32)-6;
	__asm__ volatile(
		"ldr   %x0, [%10, %x11, lsl #3]\n\t"
		"ldr   %x1, [%10, %x11]\n\t"
		"ldr   %w2, [%10, %w13, uxtw #2]\n\t"
		"ldr   %x3, [%10, %w14, sxtw #3]\n\t"
		"ldrb  %w4, [%10, %x12]\n\t"
		"ldrsb %x5, [%10, %x12, lsl #0]\n\t"
		"ldrh  %w6, [%10, %w14, sxtw #1]\n\t"
		"ldrsh %x7, [%10, %x15, lsl #1]\n\t"
		"ldrsw %x8, [%10, %x12, sxtx #2]\n\t"
		"ldr   %x9, [%10, %w13, uxtw]\n\t"
		: "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]),
		  "=&r"(r[7]), "=&r"(r[8]), "=&r"(r[9])
		: "r"(b), "r"(i3 << 3), "r"(ineg), "r"(w5 * 8), "r"(wneg), "r"(i7)
		: "memory");
	for (unsigned i = 0; i < 10; i++)
		printf("regoff[%u] = %016lx\n", i, r[i]);
	u64 v = 0xdeadbeefcafef00d;
	__asm__ volatile(
		"str  %x0, [%1, %x2, lsl #3]\n\t"
		"str  %w0, [%1, %w3, sxtw #2]\n\t"
		"strh %w0, [%1, %x4]\n\t"
		"strb %w0, [%1, %w5, uxtw]\n\t"
		"strb %w0, [%1, %w3, sxtw]\n\t"
		: : "r"(v), "r"(b), "r"((u64)9), "r"((u32)-7), "r"((u64)10), "r"((u32)77) : "memory");
	printf("regoff stores: hash %016lx\n", buf_hash());
}

static void pairs(void)
{
	u8 *b = (u8 *)buf + 12288;
	u64 a0, a1, c0, c1, e0, e1, g0;
	u8 *p = b;
	__asm__ volatile("ldp %x1, %x2, [%0, #-512]\n\tldp %w3, %w4, [%0, #252]\n\tldpsw %x5, %x6, [%0, #-8]!\n\t"
			 "ldp %x7, xzr, [%0], #504"
			 : "+r"(p), "=&r"(a0), "=&r"(a1), "=&r"(c0), "=&r"(c1), "=&r"(e0), "=&r"(e1), "=&r"(g0)
			 : : "memory");
	printf("ldp: %lx %lx | ldp w: %lx %lx | ldpsw pre: %lx %lx | ldp post: %lx base%+ld\n", a0, a1, c0, c1,
	       e0, e1, g0, (s64)(p - b));
	p = b;
	__asm__ volatile("ldnp %x1, %x2, [%0, #16]\n\tldnp %w3, %w4, [%0, #-256]"
			 : "+r"(p), "=&r"(a0), "=&r"(a1), "=&r"(c0), "=&r"(c1) : : "memory");
	printf("ldnp: %lx %lx %lx %lx\n", a0, a1, c0, c1);
	u64 s0 = 0x1111222233334444, s1 = 0x5555666677778888;
	p = b;
	__asm__ volatile("stp %x1, %x2, [%0, #504]\n\tstp %w2, %w1, [%0, #-256]!\n\tstp %x2, xzr, [%0], #-16\n\t"
			 "stnp %x1, %x2, [%0, #32]\n\tstnp %w1, %w2, [%0, #-8]\n\tstp xzr, %x1, [%0, #64]"
			 : "+r"(p) : "r"(s0), "r"(s1) : "memory");
	printf("stp: base%+ld hash %016lx\n", (s64)(p - b), buf_hash());
}

static void misc(void)
{
	u64 lit[7];
	literal_loads(lit);
	printf("literals: %lx %lx %lx %lx %lx adr-dist %lu adrp-page-delta %lu\n", lit[0], lit[1], lit[2], lit[3],
	       lit[4], lit[5], lit[6]);
	printf("sp forms: %016lx\n", sp_forms());
	buf[20] = 0x1234;
	buf[21] = 0x5678;
	printf("load to zr: %lx\n", load_to_zr(&buf[20]));
	u8 *b = (u8 *)buf + 16384;
	__asm__ volatile("str xzr, [%0]\n\tstr wzr, [%0, #8]\n\tstrh wzr, [%0, #12]\n\tstrb wzr, [%0, #15]\n\t"
			 "stp xzr, xzr, [%0, #16]\n\tstp wzr, wzr, [%0, #32]"
			 : : "r"(b) : "memory");
	printf("zr stores: hash %016lx\n", buf_hash());
	u64 v;
	__asm__ volatile("prfm pldl1keep, [%1]\n\tprfm pstl2strm, [%1, #64]\n\tprfm pldl3keep, [%1, %2]\n\t"
			 "prfum pldl1strm, [%1, #-3]\n\tldr %0, [%1, #8]"
			 : "=&r"(v) : "r"(b), "r"((u64)100) : "memory");
	printf("prfm then ldr: %lx\n", v);
	/* LDTR/STTR: unprivileged forms; with the MMU off they access memory like LDR/STR. */
	u64 t1, t2, t3;
	__asm__ volatile("sttr %x3, [%4, #8]\n\tldtr %x0, [%4, #8]\n\tldtrsh %x1, [%4, #2]\n\tsttrb %w3, [%4, #-1]\n\t"
			 "ldtrb %w2, [%4, #-1]"
			 : "=&r"(t1), "=&r"(t2), "=&r"(t3) : "r"((u64)0x8877665544332211), "r"(b + 256) : "memory");
	printf("ldtr/sttr: %lx %lx %lx\n", t1, t2, t3);
}

static void bulk(void)
{
	/* Many sized accesses at every aligned offset, folded into a hash. */
	u64 h = RT_HASH_INIT;
	u8 *b = (u8 *)buf;
	for (unsigned off = 0; off < 1024; off++) {
		volatile u8 *p8 = b + off;
		h = rt_hash(h, *p8);
		h = rt_hash(h, (u64)(s64) * (volatile s8 *)p8);
		if (!(off & 1)) {
			h = rt_hash(h, *(volatile u16 *)(b + off));
			h = rt_hash(h, (u64)(s64) * (volatile s16 *)(b + off));
		}
		if (!(off & 3)) {
			h = rt_hash(h, *(volatile u32 *)(b + off));
			h = rt_hash(h, (u64)(s64) * (volatile s32 *)(b + off));
			*(volatile u32 *)(b + 20000 + off) = (u32)h;
		}
		if (!(off & 7)) {
			h = rt_hash(h, *(volatile u64 *)(b + off));
			*(volatile u64 *)(b + 24000 + off) = h;
		}
		if (!(off & 1))
			*(volatile u16 *)(b + 28000 + off) = (u16)(h >> 16);
		*(volatile u8 *)(b + 32000 + off) = (u8)(h >> 8);
	}
	printf("bulk: loads %016lx buffer %016lx\n", h, buf_hash());
}

void test_main(void)
{
	fill();
	printf("ldst: buffer hash %016lx\n", buf_hash());
	unsigned_offsets();
	unscaled_offsets();
	writeback();
	register_offsets();
	pairs();
	misc();
	bulk();
}
