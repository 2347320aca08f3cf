/* Interrupt-context accounting in the preempt count (include/linux/preempt.h, hardirq.h). */
#ifndef KGDB_LAB_PREEMPT_H
#define KGDB_LAB_PREEMPT_H
#include <kgdb-lab/sched.h>

#define HARDIRQ_SHIFT 16
#define NMI_SHIFT 20
#define HARDIRQ_OFFSET (1 << HARDIRQ_SHIFT)
#define NMI_OFFSET (1 << NMI_SHIFT)
#define HARDIRQ_MASK (0xf << HARDIRQ_SHIFT)
#define NMI_MASK (0xf << NMI_SHIFT)

static inline int preempt_count(void)
{
	return READ_ONCE(current->thread_info.preempt_count);
}
static inline void __preempt_count_add(int v)
{
	current->thread_info.preempt_count += v;
}
static inline void __preempt_count_sub(int v)
{
	current->thread_info.preempt_count -= v;
}

#define in_nmi() (preempt_count() & NMI_MASK)
#define in_hardirq() (preempt_count() & HARDIRQ_MASK)
#define in_interrupt() (preempt_count() & (HARDIRQ_MASK | NMI_MASK))
#define hardirq_count() (preempt_count() & HARDIRQ_MASK)

#define nmi_enter() __preempt_count_add(NMI_OFFSET + HARDIRQ_OFFSET)
#define nmi_exit() __preempt_count_sub(NMI_OFFSET + HARDIRQ_OFFSET)
/* Enter/leave hardirq context (kernel/softirq.c): irq_enter() also runs tick_irq_enter(). */
void irq_enter(void);
#define irq_exit() __preempt_count_sub(HARDIRQ_OFFSET)

#endif
