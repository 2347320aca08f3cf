/*
 * Generic timer without interrupts (ARM ARM D11.2; QEMU target/arm/helper.c gt_* and
 * gt_recalc_timer): CNTFRQ, counter monotonicity, CVAL/TVAL/CTL semantics and ISTATUS
 * for the EL1 virtual (CNTV_*) and physical (CNTP_*) timers, by polling. Only facts that
 * do not depend on host speed are printed: comparisons, never raw counts.
 */
#include "rt.h"

#define CTL_ENABLE 1UL
#define CTL_IMASK 2UL
#define CTL_ISTATUS 4UL

struct timer_ops {
	const char *name;
	u64 (*count)(void);
	u64 (*ctl)(void);
	void (*set_ctl)(u64);
	u64 (*cval)(void);
	void (*set_cval)(u64);
	u64 (*tval)(void);
	void (*set_tval)(u64);
};

static u64 v_count(void) { isb(); return read_sysreg(cntvct_el0); }
static u64 v_ctl(void) { return read_sysreg(cntv_ctl_el0); }
static void v_set_ctl(u64 v) { write_sysreg(cntv_ctl_el0, v); isb(); }
static u64 v_cval(void) { return read_sysreg(cntv_cval_el0); }
static void v_set_cval(u64 v) { write_sysreg(cntv_cval_el0, v); isb(); }
static u64 v_tval(void) { return read_sysreg(cntv_tval_el0); }
static void v_set_tval(u64 v) { write_sysreg(cntv_tval_el0, v); isb(); }
static u64 p_count(void) { isb(); return read_sysreg(cntpct_el0); }
static u64 p_ctl(void) { return read_sysreg(cntp_ctl_el0); }
static void p_set_ctl(u64 v) { write_sysreg(cntp_ctl_el0, v); isb(); }
static u64 p_cval(void) { return read_sysreg(cntp_cval_el0); }
static void p_set_cval(u64 v) { write_sysreg(cntp_cval_el0, v); isb(); }
static u64 p_tval(void) { return read_sysreg(cntp_tval_el0); }
static void p_set_tval(u64 v) { write_sysreg(cntp_tval_el0, v); isb(); }

static const struct timer_ops timers[] = {
	{ "cntv", v_count, v_ctl, v_set_ctl, v_cval, v_set_cval, v_tval, v_set_tval },
	{ "cntp", p_count, p_ctl, p_set_ctl, p_cval, p_set_cval, p_tval, p_set_tval },
};

static const char *yn(bool b) { return b ? "yes" : "no"; }

static void counters(void)
{
	printf("cntfrq=%lu\n", read_sysreg(cntfrq_el0));
	bool mono = true, between = true;
	u64 prev = v_count();
	for (unsigned i = 0; i < 2000; i++) {
		u64 v1 = v_count();
		u64 p = p_count();
		u64 v2 = v_count();
		if (v1 < prev || v2 < v1)
			mono = false;
		if (p < v1 || p > v2)
			between = false; /* CNTVOFF_EL2 is 0 without EL2 */
		prev = v2;
	}
	printf("cntvct monotonic: %s; cntpct between cntvct reads: %s\n", yn(mono), yn(between));
}

static void one_timer(const struct timer_ops *t)
{
	printf("%s: ctl at boot=%lx\n", t->name, t->ctl());
	t->set_ctl(0);
	t->set_cval(0x123456789abcdef0UL);
	printf("%s: cval round trip: %lx\n", t->name, t->cval());
	t->set_cval(0);
	printf("%s: disabled, cval=0: ctl=%lx\n", t->name, t->ctl());
	t->set_ctl(CTL_ENABLE);
	printf("%s: enabled, cval=0: ctl=%lx\n", t->name, t->ctl());
	t->set_ctl(CTL_ENABLE | CTL_IMASK);
	printf("%s: enabled+imask, cval=0: ctl=%lx\n", t->name, t->ctl());
	t->set_ctl(0);
	printf("%s: disabled again: ctl=%lx\n", t->name, t->ctl());
	t->set_cval(~0UL);
	t->set_ctl(CTL_ENABLE);
	printf("%s: enabled, cval=max: ctl=%lx\n", t->name, t->ctl());
	t->set_ctl(0xffffffffUL);
	printf("%s: ctl write 0xffffffff (cval=max): ctl=%lx\n", t->name, t->ctl());
	t->set_ctl(CTL_ISTATUS);
	printf("%s: ctl write ISTATUS only: ctl=%lx\n", t->name, t->ctl());

	/* TVAL write: CVAL = count + sext(TVAL). */
	u64 before = t->count();
	t->set_tval(1000000);
	u64 after = t->count();
	u64 cval = t->cval();
	printf("%s: tval=1000000 -> cval in [before, after] + 1000000: %s\n", t->name,
	       yn(cval >= before + 1000000 && cval <= after + 1000000));
	u64 tv = t->tval();
	printf("%s: tval read back in (0, 1000000]: %s; upper 32 bits zero: %s\n", t->name,
	       yn((s32)tv > 0 && (s32)tv <= 1000000), yn((tv >> 32) == 0));
	t->set_ctl(CTL_ENABLE);
	printf("%s: enabled, deadline 16 ms away: ctl=%lx\n", t->name, t->ctl());

	before = t->count();
	t->set_tval(0xffffffffUL); /* -1: deadline just passed */
	after = t->count();
	cval = t->cval();
	printf("%s: tval=-1 -> cval in [before, after] - 1: %s; ctl=%lx\n", t->name,
	       yn(cval >= before - 1 && cval <= after - 1), t->ctl());
	tv = t->tval();
	printf("%s: tval after deadline negative: %s\n", t->name, yn((s32)tv < 0));

	before = t->count();
	t->set_tval(0x80000000UL); /* sign-extended: -2^31 ticks (wraps below zero early after boot) */
	after = t->count();
	cval = t->cval();
	u64 behind = after - cval; /* modulo 2^64: in [2^31, 2^31 + (after - before)] */
	printf("%s: tval=0x80000000 sign-extends: %s; ctl=%lx\n", t->name,
	       yn(behind >= 0x80000000UL && behind <= 0x80000000UL + (after - before)), t->ctl());

	/* Poll for ISTATUS with a 100 us deadline. */
	t->set_ctl(CTL_ENABLE | CTL_IMASK);
	t->set_tval(6250);
	cval = t->cval();
	unsigned long spins = 0;
	while (!(t->ctl() & CTL_ISTATUS) && spins < (1UL << 30))
		spins++;
	u64 now = t->count();
	printf("%s: polled ISTATUS: %s; count >= cval when seen: %s; ctl=%lx\n", t->name,
	       yn(spins < (1UL << 30)), yn(now >= cval), t->ctl());
	t->set_cval(now + 100000000UL);
	printf("%s: cval moved to the future: ctl=%lx\n", t->name, t->ctl());
	t->set_ctl(0);
}

void test_main(void)
{
	counters();
	for (unsigned i = 0; i < ARRAY_SIZE(timers); i++)
		one_timer(&timers[i]);
	/* The two timers are independent. */
	v_set_cval(0);
	v_set_ctl(CTL_ENABLE | CTL_IMASK);
	p_set_cval(~0UL);
	p_set_ctl(CTL_ENABLE | CTL_IMASK);
	printf("independent: cntv ctl=%lx cntp ctl=%lx\n", v_ctl(), p_ctl());
	v_set_ctl(0);
	p_set_ctl(0);
}
