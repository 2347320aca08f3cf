/*
 * The idle loop (kernel/sched/idle.c, v6.3): enter NO_HZ idle, then until something needs
 * the CPU, stop the tick and idle through arch_cpu_idle(), which re-enables interrupts; the
 * wake-up interrupt is handled and the loop goes round again with the tick still stopped.
 * Leaving the loop (need_resched()) restarts the tick. default_idle_call() is __cpuidle as
 * in Linux, so all three idle frames are in .cpuidle.text.
 */
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/sched.h>
#include <kgdb-lab/tick.h>
#include <asm/cpuidle.h>
#include <asm/irqflags.h>

void __cpuidle default_idle_call(void)
{
	arch_cpu_idle();
	keep_frame();
}

static noinline void do_idle(void)
{
	tick_nohz_idle_enter();
	while (!need_resched()) {
		local_irq_disable();
		/* cpuidle_idle_call() without a cpuidle driver: stop the tick, then the default idle. */
		tick_nohz_idle_stop_tick();
		default_idle_call();
		keep_frame();
	}
	tick_nohz_idle_exit();
	schedule_idle();
	keep_frame();
}

__noreturn void cpu_startup_entry(int state)
{
	(void)state;
	for (;;)
		do_idle();
}
