/*
 * Synchronous exceptions at EL1 (ARM ARM D1.10, ESR_EL1 encodings D17.2.37) as QEMU virt
 * reports them: SVC/BRK/UDF and other UNDEFINED encodings, HVC with unknown PSCI
 * functions (no exception), alignment faults (SCTLR_EL1.A=1 set by the runtime), data and
 * instruction aborts on unassigned addresses, PC alignment faults, reads of flash at 0,
 * exceptions from EL1t, and ERET restoring NZCV/DAIF/SPSel. Lines give EC, IL, ISS,
 * ELR relative to the trapping instruction, FAR relative to the accessed address, the
 * vector used and SPSR masked to NZCV, DAIF and M[4:0].
 */
#include "rt.h"

#define SPSR_MASK 0xf00003dfUL

struct trap {
	unsigned count;
	unsigned vector;
	u64 esr, elr, far, spsr;
};
static struct trap last;
/* How to resume: skip the instruction, or return to x30 (when the PC itself is bad). */
static enum { RESUME_SKIP, RESUME_LR } resume_mode;

static int handler(struct rt_frame *f, unsigned vector)
{
	if (vector != RT_VEC_SYNC_SPX && vector != RT_VEC_SYNC_SP0)
		return 0;
	last.count++;
	last.vector = vector;
	last.esr = f->esr;
	last.elr = f->elr;
	last.far = f->far;
	last.spsr = f->spsr;
	unsigned ec = (unsigned)(f->esr >> 26);
	if (ec == 0x15) {
		f->x[0] = 0xa11ce; /* SVC: ELR already points past it; mark that the handler ran */
	} else if (resume_mode == RESUME_LR) {
		f->elr = f->x[30];
	} else {
		f->elr += 4;
	}
	return 1;
}

static void report(const char *what, u64 site, bool show_far, u64 far_base)
{
	if (!last.count) {
		printf("%-22s no exception\n", what);
		return;
	}
	char farbuf[40] = "";
	if (show_far)
		snprintf(farbuf, sizeof(farbuf), " far=%s%+ld", far_base ? "addr" : "", (s64)(last.far - far_base));
	printf("%-22s ec=0x%02lx il=%lu iss=0x%07lx elr=site%+ld%s vector=%s spsr=%08lx\n", what, last.esr >> 26,
	       (last.esr >> 25) & 1, last.esr & 0x1ffffff, (s64)(last.elr - site), farbuf, rt_vector_name(last.vector),
	       last.spsr & SPSR_MASK);
}

#define SITE(n) extern char site_##n[]
SITE(svc0); SITE(svc42); SITE(svcffff); SITE(svc_el1t); SITE(brk0); SITE(brk1234); SITE(udf0); SITE(udfbeef);
SITE(smc); SITE(hlt); SITE(msr_midr); SITE(mrs_unalloc); SITE(unalloc_ldst); SITE(sp_misaligned);

u64 do_svc0(u64 nzcv, u64 daif);
u64 do_svc42(u64 nzcv, u64 daif);
u64 do_svcffff(u64 nzcv, u64 daif);
u64 do_svc_el1t(u64 sp_el0);
u64 do_hvc_unknown(void);
u64 do_hvc1_unknown(void);
void do_br_to(u64 target);
u64 do_sp_misaligned(void);
u64 do_eret_to(u64 spsr);

static void svc_brk_undef(void)
{
	static const struct {
		const char *name;
		u64 (*fn)(u64, u64);
		char *site;
		u64 nzcv, daif;
	} svcs[] = {
		{ "svc #0", do_svc0, site_svc0, 0x00000000, 0x3c0 },
		{ "svc #0x42", do_svc42, site_svc42, 0x90000000, 0x000 },
		{ "svc #0xffff", do_svcffff, site_svcffff, 0x60000000, 0x140 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(svcs); i++) {
		last.count = 0;
		u64 r = svcs[i].fn(svcs[i].nzcv, svcs[i].daif);
		report(svcs[i].name, (u64)svcs[i].site, false, 0);
		printf("  handler x0=%lx\n", r);
	}
	static u64 el0_stack[32] __attribute__((aligned(16)));
	last.count = 0;
	u64 sp_after = do_svc_el1t((u64)&el0_stack[32]);
	report("svc from el1t", (u64)site_svc_el1t, false, 0);
	printf("  sp_el0 intact: %s\n", sp_after == (u64)&el0_stack[32] ? "yes" : "no");

	static const struct {
		const char *name;
		void (*fn)(void);
		char *site;
	} traps[] = {
		{ "brk #0", (void (*)(void))site_brk0, site_brk0 },
		{ "brk #0x1234", (void (*)(void))site_brk1234, site_brk1234 },
		{ "udf #0", (void (*)(void))site_udf0, site_udf0 },
		{ "udf #0xbeef", (void (*)(void))site_udfbeef, site_udfbeef },
		{ "smc #0", (void (*)(void))site_smc, site_smc },
		{ "hlt #0", (void (*)(void))site_hlt, site_hlt },
		{ "msr midr_el1", (void (*)(void))site_msr_midr, site_msr_midr },
		{ "mrs s3_0_c2_c7_7", (void (*)(void))site_mrs_unalloc, site_mrs_unalloc },
		{ "unallocated ld/st", (void (*)(void))site_unalloc_ldst, site_unalloc_ldst },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(traps); i++) {
		last.count = 0;
		traps[i].fn(); /* the site is the function's first instruction; the handler skips it */
		report(traps[i].name, (u64)traps[i].site, false, 0);
	}
}

static void hvc(void)
{
	last.count = 0;
	u64 r0 = do_hvc_unknown();
	u64 r1 = do_hvc1_unknown();
	printf("hvc #0 unknown function: x0=%lx; hvc #1 unknown function: x0=%lx; exceptions taken: %u\n", r0, r1,
	       last.count);
}

/* Alignment faults: each access helper at a misaligned address inside an aligned buffer. */
#define ACC(n) u64 do_##n(u64 addr); extern char site_##n[];
ACC(ldr_x) ACC(ldr_w) ACC(ldrh) ACC(ldrsh) ACC(ldrsw) ACC(ldur_x) ACC(ldr_pre) ACC(ldr_post) ACC(ldr_regoff)
ACC(ldp_x) ACC(ldp_w) ACC(ldpsw) ACC(ldxr_x) ACC(ldxrh) ACC(ldaxp) ACC(ldar_w) ACC(ldtr_x) ACC(str_x) ACC(str_w)
ACC(strh) ACC(stp_x) ACC(stur_w) ACC(stlr_x) ACC(stxr_w) ACC(stlxp) ACC(ldrb) ACC(strb)

static u64 abuf[8] __attribute__((aligned(64)));

static void alignment(void)
{
	static const struct {
		const char *name;
		u64 (*fn)(u64);
		char *site;
		unsigned off;    /* byte offset into abuf */
		int eff;         /* effective address offset of the access relative to the argument */
	} cases[] = {
		{ "ldr x +1", do_ldr_x, site_ldr_x, 1, 0 },
		{ "ldr x +4", do_ldr_x, site_ldr_x, 4, 0 },
		{ "ldr w +2", do_ldr_w, site_ldr_w, 2, 0 },
		{ "ldrh +1", do_ldrh, site_ldrh, 1, 0 },
		{ "ldrsh +3", do_ldrsh, site_ldrsh, 3, 0 },
		{ "ldrsw +6", do_ldrsw, site_ldrsw, 6, 0 },
		{ "ldur x +8-1", do_ldur_x, site_ldur_x, 8, -1 },
		{ "ldr x [+4, #8]!", do_ldr_pre, site_ldr_pre, 4, 8 },
		{ "ldr x [+2], #8", do_ldr_post, site_ldr_post, 2, 0 },
		{ "ldp x +8 (ok)", do_ldp_x, site_ldp_x, 8, 0 },
		{ "ldp x +4", do_ldp_x, site_ldp_x, 4, 0 },
		{ "ldp w +2", do_ldp_w, site_ldp_w, 2, 0 },
		{ "ldpsw +4 (ok)", do_ldpsw, site_ldpsw, 4, 0 },
		{ "ldxr x +4", do_ldxr_x, site_ldxr_x, 4, 0 },
		{ "ldxrh +1", do_ldxrh, site_ldxrh, 1, 0 },
		{ "ldaxp x +8", do_ldaxp, site_ldaxp, 8, 0 },
		{ "ldar w +2", do_ldar_w, site_ldar_w, 2, 0 },
		{ "ldtr x +4", do_ldtr_x, site_ldtr_x, 4, 0 },
		{ "str x +4", do_str_x, site_str_x, 4, 0 },
		{ "str w +1", do_str_w, site_str_w, 1, 0 },
		{ "strh +3", do_strh, site_strh, 3, 0 },
		{ "stp x +12", do_stp_x, site_stp_x, 12, 0 },
		{ "stur w +0+1", do_stur_w, site_stur_w, 0, 1 },
		{ "stlr x +2", do_stlr_x, site_stlr_x, 2, 0 },
		{ "stxr w +2", do_stxr_w, site_stxr_w, 2, 0 },
		{ "stlxp +8", do_stlxp, site_stlxp, 8, 0 },
		{ "ldrb +7 (ok)", do_ldrb, site_ldrb, 7, 0 },
		{ "strb +5 (ok)", do_strb, site_strb, 5, 0 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(abuf); i++)
		abuf[i] = 0x0807060504030201UL * (i + 1);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		last.count = 0;
		u64 addr = (u64)abuf + cases[i].off;
		u64 r = cases[i].fn(addr);
		report(cases[i].name, (u64)cases[i].site, true, addr + (u64)(s64)cases[i].eff);
		printf("  %s=%lx\n", cases[i].fn == do_stxr_w || cases[i].fn == do_stlxp ? "status" : "dest", r);
	}
	u64 h = RT_HASH_INIT;
	for (unsigned i = 0; i < ARRAY_SIZE(abuf); i++)
		h = rt_hash(h, abuf[i]);
	printf("buffer after faulting stores: %016lx\n", h);
}

static void aborts(void)
{
	static const u64 addrs[] = { 0x09050000, 0x09ff0000 };
	for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++) {
		char name[40];
		last.count = 0;
		u64 r = do_ldr_w(addrs[i]);
		snprintf(name, sizeof(name), "ldr w %lx", addrs[i]);
		report(name, (u64)site_ldr_w, true, addrs[i]);
		printf("  dest=%lx\n", r);
		last.count = 0;
		do_str_x(addrs[i] + 8);
		snprintf(name, sizeof(name), "str x %lx", addrs[i] + 8);
		report(name, (u64)site_str_x, true, addrs[i] + 8);
	}
	/* Flash (QEMU virt pflash, no image): reads as zero, no exception. */
	static const u64 flash[] = { 0x0, 0x1000, 0x07fffff8 };
	for (unsigned i = 0; i < ARRAY_SIZE(flash); i++) {
		last.count = 0;
		u64 r = do_ldr_x(flash[i]);
		printf("ldr x flash+%lx: value=%lx exceptions=%u\n", flash[i], r, last.count);
	}
	/* Instruction fetch: from unassigned space (instruction abort) and from flash (zeros = UDF #0). */
	resume_mode = RESUME_LR;
	last.count = 0;
	do_br_to(0x09050000);
	report("fetch 0x09050000", 0x09050000, true, 0x09050000);
	last.count = 0;
	do_br_to(0x0);
	report("fetch flash 0x0", 0x0, false, 0);
	/* PC alignment fault. */
	u64 target = (u64)do_br_to + 2;
	last.count = 0;
	do_br_to(target);
	report("br to pc+2", target, true, target);
	resume_mode = RESUME_SKIP;
}

static void sp_and_eret(void)
{
	last.count = 0;
	u64 v = do_sp_misaligned();
	printf("ldr [sp] with sp %% 16 == 8: value=%lx exceptions=%u\n", v, last.count);
	static const u64 spsrs[] = { 0x600003c5, 0x90000005, 0x000001c4, 0xf0000044 };
	for (unsigned i = 0; i < ARRAY_SIZE(spsrs); i++) {
		u64 r = do_eret_to(spsrs[i]);
		printf("eret spsr=%08lx -> nzcv=%lx daif=%lx spsel=%lx\n", spsrs[i], r >> 28, r & 0x3c0, r & 1);
	}
}

void test_main(void)
{
	rt_set_sync_handler(handler);
	svc_brk_undef();
	hvc();
	alignment();
	aborts();
	sp_and_eret();
	rt_set_sync_handler(NULL);
}
