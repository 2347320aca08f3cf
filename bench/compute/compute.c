/*
 * Compute benchmark guest: a recursive Fibonacci and a sieve of Eratosthenes on one CPU,
 * about 70 million instructions in total (counted with kgdb-lab --icount 0 / QEMU -icount
 * shift=0; see bench/README.md). The compute region is bracketed by CNTVCT_EL0 reads (the
 * generic timer, CNTFRQ = 62.5 MHz on QEMU virt and kgdb-lab); the guest prints the
 * results, which check the computation, and the elapsed ticks, then powers off.
 *
 * Output (one line each, parsed by bench/bench.ts):
 *   compute: fib(FIB_N)=<value> primes(<SIEVE_N)=<count>
 *   compute: ticks=<elapsed CNTVCT ticks> cntfrq=<Hz>
 */
#include "rt.h"

#define FIB_N 31
#define SIEVE_N 2000000

static u8 composite[SIEVE_N];

static NOINLINE u64 fib(u64 n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE u64 sieve(void)
{
	for (u64 i = 0; i < SIEVE_N; i++)
		composite[i] = 0;
	u64 count = 0;
	for (u64 i = 2; i < SIEVE_N; i++) {
		if (composite[i])
			continue;
		count++;
		for (u64 j = i * i; j < SIEVE_N; j += i)
			composite[j] = 1;
	}
	return count;
}

static inline u64 counter(void)
{
	u64 v;
	/* ISB so the read is not hoisted above the work it measures. */
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

void test_main(void)
{
	u64 t0 = counter();
	u64 f = fib(FIB_N);
	u64 p = sieve();
	u64 t1 = counter();
	printf("compute: fib(%u)=%lu primes(<%u)=%lu\n", FIB_N, f, SIEVE_N, p);
	printf("compute: ticks=%lu cntfrq=%lu\n", t1 - t0, read_sysreg(cntfrq_el0));
}
