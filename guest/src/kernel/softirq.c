/* Hardirq entry (kernel/softirq.c, v6.3 irq_enter()/irq_enter_rcu()). */
#include <kgdb-lab/preempt.h>
#include <kgdb-lab/tick.h>

/*
 * Count the hardirq level; an interrupt that reaches an idle task at the outermost level
 * gives the tick code its chance to catch jiffies up (tick_irq_enter()). Every task here
 * is an idle task (workloads run on it), so only the level is checked; tick_irq_enter()
 * does nothing unless this CPU's tick is stopped.
 */
void irq_enter(void)
{
	__preempt_count_add(HARDIRQ_OFFSET);
	if (hardirq_count() == HARDIRQ_OFFSET)
		tick_irq_enter();
}
