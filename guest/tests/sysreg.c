/*
 * System registers whose behaviour does not legitimately differ between CPU models
 * (ARM ARM D17, C5.2): PSTATE views (NZCV, DAIF, SPSel, CurrentEL), the immediate forms
 * MSR DAIFSet/DAIFClr/SPSel, thread ID registers, VBAR_EL1, ELR/SPSR/ESR/FAR_EL1, SP_EL0,
 * CNTFRQ_EL0, CNTKCTL_EL1 and the MPIDR_EL1 affinity. ID registers, MIDR, SCTLR reset
 * values and timer counts are deliberately not printed.
 */
#include "rt.h"

static u64 undef_count;

static int undef_handler(struct rt_frame *f, unsigned vector)
{
	if (vector != RT_VEC_SYNC_SPX && vector != RT_VEC_SYNC_SP0)
		return 0;
	printf("  trap via %s: ec=0x%lx il=%lu iss=0x%lx spsr.M=%lx\n", rt_vector_name(vector), f->esr >> 26,
	       (f->esr >> 25) & 1, f->esr & 0x1ffffff, f->spsr & 0x1f);
	undef_count++;
	f->elr += 4;
	return 1;
}

static void nzcv(void)
{
	char line[160];
	unsigned n = 0;
	for (u64 v = 0; v < 16; v++) {
		u64 r;
		__asm__ volatile("msr nzcv, %1\n\tmrs %0, nzcv" : "=r"(r) : "r"(v << 28) : "cc");
		n += (unsigned)snprintf(line + n, sizeof(line) - n, " %lx", r >> 28);
	}
	printf("nzcv round trip:%s\n", line);
	u64 r;
	__asm__ volatile("msr nzcv, %1\n\tmrs %0, nzcv" : "=r"(r) : "r"(~0UL) : "cc");
	printf("nzcv after writing all ones: %lx\n", r);
	__asm__ volatile("msr nzcv, xzr\n\tcmp %1, #1\n\tmrs %0, nzcv" : "=&r"(r) : "r"(0UL) : "cc");
	printf("nzcv after cmp 0,1: %lx\n", r);
}

static void daif(void)
{
	u64 r[8];
	__asm__ volatile("mrs %0, daif\n\t"
			 "msr daifclr, #0xf\n\tmrs %1, daif\n\t"
			 "msr daifset, #0x2\n\tmrs %2, daif\n\t"
			 "msr daifset, #0x9\n\tmrs %3, daif\n\t"
			 "msr daifclr, #0x6\n\tmrs %4, daif\n\t"
			 "msr daif, %8\n\tmrs %5, daif\n\t"
			 "msr daif, %9\n\tmrs %6, daif\n\t"
			 "msr daifset, #0xf\n\tmrs %7, daif"
			 : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]),
			   "=&r"(r[7])
			 : "r"(0x140UL), "r"(~0UL) : "memory");
	printf("daif: boot=%lx clr-all=%lx set-I=%lx set-DF=%lx clr-AI=%lx write-0x140=%lx write-ones=%lx set-all=%lx\n",
	       r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

static void spsel(void)
{
	static u64 el0_stack[64] __attribute__((aligned(16)));
	u64 el0_top = (u64)&el0_stack[64];
	u64 spsel0, spsel1, sp_in_el1t, sp_el0_after, sp_el1_before, sp_el1_after;
	__asm__ volatile("msr sp_el0, %6\n\t"
			 "mrs %0, spsel\n\t"
			 "mov %4, sp\n\t"
			 "msr spsel, #0\n\t"
			 "mrs %1, spsel\n\t"
			 "mov %2, sp\n\t"
			 "sub sp, sp, #32\n\t" /* moves SP_EL0 only */
			 "msr spsel, #1\n\t"
			 "mov %5, sp\n\t"
			 "mrs %3, sp_el0\n\t"
			 : "=&r"(spsel1), "=&r"(spsel0), "=&r"(sp_in_el1t), "=&r"(sp_el0_after), "=&r"(sp_el1_before),
			   "=&r"(sp_el1_after)
			 : "r"(el0_top) : "memory");
	printf("spsel: initial=%lu after msr #0=%lu; sp in EL1t = sp_el0: %s; sp_el0 after sub: top-%lu; "
	       "sp_el1 unchanged: %s\n",
	       spsel1, spsel0, sp_in_el1t == el0_top ? "yes" : "no", el0_top - sp_el0_after,
	       sp_el1_before == sp_el1_after ? "yes" : "no");
	u64 r;
	__asm__ volatile("msr spsel, %1\n\tmrs %0, spsel\n\tmsr spsel, #1" : "=&r"(r) : "r"(0UL) : "memory");
	printf("spsel via register write 0: %lu\n", r);
	/* MRS SP_EL0 while using SP_EL0 is UNDEFINED (ARM ARM C5.2.16). */
	rt_set_sync_handler(undef_handler);
	__asm__ volatile("mov x9, sp\n\tmsr sp_el0, x9\n\tmsr spsel, #0\n\tmrs x10, sp_el0\n\tmsr spsel, #1"
			 ::: "x9", "x10", "memory");
	rt_set_sync_handler(NULL);
	printf("spsel: undefined accesses trapped: %lu\n", undef_count);
}

static void id_and_misc(void)
{
	printf("currentel=%lx\n", read_sysreg(CurrentEL));
	printf("mpidr affinity=%lx\n", rt_read_mpidr() & 0xff00ffffffUL);
	static const u64 pats[] = { 0, 0xffffffffffffffffUL, 0x0123456789abcdefUL, 0x8000000000000001UL };
	for (unsigned i = 0; i < ARRAY_SIZE(pats); i++) {
		u64 p = pats[i];
		write_sysreg(tpidr_el0, p);
		write_sysreg(tpidr_el1, ~p);
		write_sysreg(tpidrro_el0, p ^ 0x5555);
		write_sysreg(elr_el1, p);
		write_sysreg(sp_el0, p & ~0xfUL);
		write_sysreg(far_el1, p);
		printf("pattern %016lx: tpidr_el0=%lx tpidr_el1=%lx tpidrro_el0=%lx elr=%lx sp_el0=%lx far=%lx\n",
		       p, read_sysreg(tpidr_el0), read_sysreg(tpidr_el1), read_sysreg(tpidrro_el0), read_sysreg(elr_el1),
		       read_sysreg(sp_el0), read_sysreg(far_el1));
	}
	static const u64 spsrs[] = { 0x3c5, 0xf0000005, 0x60000004, 0x200003c4, 0x0 };
	for (unsigned i = 0; i < ARRAY_SIZE(spsrs); i++) {
		write_sysreg(spsr_el1, spsrs[i]);
		printf("spsr write %lx read %lx\n", spsrs[i], read_sysreg(spsr_el1));
	}
	static const u64 esrs[] = { 0x56000042, 0xf2000003, 0x02000000, 0x96000021 };
	for (unsigned i = 0; i < ARRAY_SIZE(esrs); i++) {
		write_sysreg(esr_el1, esrs[i]);
		printf("esr write %lx read %lx\n", esrs[i], read_sysreg(esr_el1));
	}
	u64 vbar = read_sysreg(vbar_el1);
	write_sysreg(vbar_el1, 0x40000800UL);
	u64 v1 = read_sysreg(vbar_el1);
	write_sysreg(vbar_el1, 0x4ffff000UL);
	u64 v2 = read_sysreg(vbar_el1);
	write_sysreg(vbar_el1, vbar);
	isb();
	printf("vbar: 0x40000800 -> %lx, 0x4ffff000 -> %lx, restored: %s\n", v1, v2,
	       read_sysreg(vbar_el1) == vbar ? "yes" : "no");
	printf("cntfrq_el0=%lu\n", read_sysreg(cntfrq_el0));
	write_sysreg(cntkctl_el1, 0x3UL);
	u64 k1 = read_sysreg(cntkctl_el1);
	write_sysreg(cntkctl_el1, 0UL);
	printf("cntkctl_el1: wrote 3 read %lx, wrote 0 read %lx\n", k1, read_sysreg(cntkctl_el1));
}

void test_main(void)
{
	nzcv();
	daif();
	spsel();
	id_and_misc();
}
