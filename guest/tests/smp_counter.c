/*
 * Multicore counter test. CPU 0 reads the CPU count from the DTB, starts every other CPU
 * with PSCI CPU_ON, releases them all at once through a flag (waiters sleep in WFE), and
 * every CPU then increments shared counters ITER times each:
 *   - with an LDAXR/STLXR loop,
 *   - under the runtime's ticket lock (plain increment, LDAXRH + WFE waiters, STLRH unlock),
 *   - under a test-and-set spin lock (LDAXR/STXR, WFE waiters, STLR unlock),
 *   - with USE_LSE also with LDADDAL, a CASAL loop and a SWPA lock.
 * CPU 0 waits for all of them (WFE), waits until PSCI AFFINITY_INFO reports each one OFF,
 * and prints the exact totals. Lines are "[cpuN] ..." so the harness compares per-CPU
 * sequences rather than interleavings.
 */
#include "rt.h"

#ifndef ITER
#define ITER 1000
#endif

void llsc_inc(u64 *p);
void tas_lock(u32 *l);
void tas_unlock(u32 *l);
void wait_for_flag(u32 *f);
void wait_for_count(u64 *c, u64 n);
#ifdef USE_LSE
void lse_inc(u64 *p);
void cas_inc(u64 *p);
void swp_lock(u32 *l);
#endif

/* Each shared word on its own 64-byte line so reservations do not interfere needlessly. */
struct shared {
	u64 llsc __attribute__((aligned(64)));
	u64 ticket_count __attribute__((aligned(64)));
	rt_ticket_lock_t ticket __attribute__((aligned(64)));
	u64 tas_count __attribute__((aligned(64)));
	u32 tas __attribute__((aligned(64)));
	u64 lse __attribute__((aligned(64)));
	u64 cas __attribute__((aligned(64)));
	u64 swp_count __attribute__((aligned(64)));
	u32 swp __attribute__((aligned(64)));
	u32 go __attribute__((aligned(64)));
	u64 up __attribute__((aligned(64)));
	u64 done __attribute__((aligned(64)));
};
static struct shared s;

static void work(unsigned idx)
{
	for (unsigned i = 0; i < ITER; i++) {
		llsc_inc(&s.llsc);
		rt_ticket_lock(&s.ticket);
		s.ticket_count++;
		rt_ticket_unlock(&s.ticket);
		tas_lock(&s.tas);
		s.tas_count++;
		tas_unlock(&s.tas);
#ifdef USE_LSE
		lse_inc(&s.lse);
		cas_inc(&s.cas);
		swp_lock(&s.swp);
		s.swp_count++;
		tas_unlock(&s.swp);
#endif
	}
	(void)idx;
}

static void secondary(unsigned idx)
{
	cpu_printf("up\n");
	llsc_inc(&s.up);
	wait_for_flag(&s.go);
	work(idx);
	cpu_printf("done\n");
	llsc_inc(&s.done);
	/* Returning powers this CPU off (PSCI CPU_OFF in the runtime). */
}

void test_main(void)
{
	unsigned n = rt_cpu_count();
	cpu_printf("smp_counter: %u cpus, %u iterations each%s\n", n, ITER,
#ifdef USE_LSE
		   " (with LSE)"
#else
		   ""
#endif
	);
	for (unsigned i = 1; i < n; i++) {
		s64 r = rt_start_cpu(i, secondary);
		if (r != PSCI_SUCCESS)
			cpu_printf("CPU_ON %u failed: %ld\n", i, r);
	}
	wait_for_count(&s.up, n - 1);
	cpu_printf("all %u secondaries up\n", n - 1);
	__asm__ volatile("stlr %w0, [%1]" : : "r"(1u), "r"(&s.go) : "memory"); /* no SEV: the store wakes them */
	work(0);
	wait_for_count(&s.done, n - 1);
	/* Each secondary powers itself off after "done"; wait for PSCI to agree. */
	for (unsigned i = 1; i < n; i++) {
		unsigned spins = 0;
		while (psci_call(PSCI_AFFINITY_INFO, rt_cpu_mpidr(i), 0, 0) != 1)
			if (++spins > 100000000)
				break;
	}
	cpu_printf("all secondaries off\n");
	u64 expect = (u64)n * ITER;
	bool ok = s.llsc == expect && s.ticket_count == expect && s.tas_count == expect;
	cpu_printf("llsc=%lu ticket=%lu tas=%lu expected=%lu\n", s.llsc, s.ticket_count, s.tas_count, expect);
#ifdef USE_LSE
	ok = ok && s.lse == expect && s.cas == expect && s.swp_count == expect;
	cpu_printf("ldadd=%lu cas=%lu swp=%lu expected=%lu\n", s.lse, s.cas, s.swp_count, expect);
#endif
	cpu_printf("%s\n", ok ? "PASS" : "FAIL");
}
