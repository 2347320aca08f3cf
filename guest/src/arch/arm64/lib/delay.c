/*
 * Time from the generic timer's virtual counter, and busy-wait delays
 * (arch/arm64/lib/delay.c, drivers/clocksource/arm_arch_timer.c's counter read).
 */
#include <kgdb-lab/delay.h>
#include <kgdb-lab/kernel.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

u64 arch_timer_rate;

u64 get_cycles(void)
{
	isb(); /* the counter read must not be hoisted above earlier instructions */
	return read_sysreg(cntvct_el0);
}

static u64 timer_rate(void)
{
	/* Before time_init() (the first printk), ask the hardware directly. */
	return arch_timer_rate ? arch_timer_rate : read_sysreg(cntfrq_el0);
}

u64 local_clock(void)
{
	u64 rate = timer_rate();
	u64 cycles = get_cycles();
	if (!rate)
		return 0;
	/* Split so that cycles * 10^9 cannot overflow: the remainder is below the rate (< 2^32). */
	return cycles / rate * 1000000000UL + cycles % rate * 1000000000UL / rate;
}

static void __delay(u64 cycles)
{
	u64 start = get_cycles();
	while (get_cycles() - start < cycles)
		cpu_relax();
}

void udelay(unsigned long usecs)
{
	__delay(usecs * timer_rate() / 1000000UL);
}

void mdelay(unsigned long msecs)
{
	__delay(msecs * timer_rate() / 1000UL);
}
