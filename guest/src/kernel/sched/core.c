/* The per-CPU idle tasks (kernel/sched/core.c init_idle) and task stack bounds. */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/sched.h>

struct task_struct idle_tasks[NR_CPUS];
/* head.S: one THREAD_SIZE boot stack per logical CPU. */
extern char init_stacks[];

void init_idle(unsigned int cpu)
{
	struct task_struct *idle = &idle_tasks[cpu];
	idle->thread_info.cpu = cpu;
	idle->thread_info.preempt_count = 0;
	idle->stack = init_stacks + (unsigned long)cpu * THREAD_SIZE;
	idle->pid = 0;
	snprintf(idle->comm, sizeof(idle->comm), "swapper/%u", cpu);
}

bool on_task_stack(const struct task_struct *tsk, unsigned long addr, unsigned long size)
{
	unsigned long low = (unsigned long)tsk->stack;
	unsigned long high = low + THREAD_SIZE;
	return low && addr >= low && addr < high && size <= high - addr;
}

/*
 * Linux's resched_curr() sets TIF_NEED_RESCHED on the target CPU's task and sends it the
 * reschedule IPI; this kernel has no run queues, so the IPI stands for both and the
 * receiver marks itself. An idle CPU then leaves its idle loop (restarting its tick) and
 * comes straight back, the path tick_nohz_idle_exit() takes on Linux.
 */
void scheduler_ipi(void)
{
	current->thread_info.flags |= 1UL << TIF_NEED_RESCHED;
}

/* schedule_idle(): the idle task is the only task, so it is picked again. */
void schedule_idle(void)
{
	current->thread_info.flags &= ~(1UL << TIF_NEED_RESCHED);
}
