/*
 * The idle loop (kernel/sched/idle.c): with interrupts disabled, idle the CPU through
 * arch_cpu_idle(), which re-enables them; the wake-up interrupt is handled, and the loop
 * goes round again. default_idle_call() is __cpuidle as in Linux, so all three idle frames
 * are in .cpuidle.text.
 */
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/sched.h>
#include <asm/cpuidle.h>
#include <asm/irqflags.h>

void __cpuidle default_idle_call(void)
{
	arch_cpu_idle();
	keep_frame();
}

static noinline void do_idle(void)
{
	local_irq_disable();
	default_idle_call();
	keep_frame();
}

__noreturn void cpu_startup_entry(int state)
{
	(void)state;
	for (;;)
		do_idle();
}
