/*
 * Tasks, minimally: each CPU runs its idle task ("swapper/N", pid 0) from boot, as Linux's
 * CPUs do before the scheduler starts. `current` lives in SP_EL0, as on arm64 Linux
 * (arch/arm64/include/asm/current.h): at EL1h that register is free for the kernel's use.
 */
#ifndef KGDB_LAB_SCHED_H
#define KGDB_LAB_SCHED_H
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/types.h>

/* Per-CPU kernel stack size in bytes (Linux arm64: 16 KiB without KASAN). */
#define THREAD_SIZE 0x4000
#define TASK_COMM_LEN 16

struct thread_info {
	unsigned long flags;
	/* Linux's preempt_count layout: HARDIRQ counts in bits 16-19, NMI in bits 20-23. */
	int preempt_count;
	u32 cpu;
};

struct task_struct {
	/* First, so that a task pointer is also its thread_info pointer (THREAD_INFO_IN_TASK). */
	struct thread_info thread_info;
	/* Lowest address of the THREAD_SIZE-byte stack. */
	void *stack;
	int pid;
	char comm[TASK_COMM_LEN];
};

static inline struct task_struct *get_current(void)
{
	unsigned long sp_el0;
	__asm__("mrs %0, sp_el0" : "=r"(sp_el0));
	return (struct task_struct *)sp_el0;
}
#define current get_current()

/* The idle task of each CPU ("swapper/N"); head.S points SP_EL0 at it. */
extern struct task_struct idle_tasks[NR_CPUS];
#define idle_task(cpu) (&idle_tasks[(cpu)])
/* Fill in idle task `cpu` (its stack, name, CPU). */
void init_idle(unsigned int cpu);

/* True if addr..addr+size lies within the current task's stack. */
bool on_task_stack(const struct task_struct *tsk, unsigned long addr, unsigned long size);

/* thread_info.flags: the task should give the CPU up (TIF_NEED_RESCHED, arm64 bit 1). */
#define TIF_NEED_RESCHED 1

static inline bool need_resched(void)
{
	return (READ_ONCE(current->thread_info.flags) >> TIF_NEED_RESCHED) & 1;
}
/* The reschedule IPI's handler (kernel/sched/core.c): mark the current task. */
void scheduler_ipi(void);
/* Back from the idle loop: nothing else to run here, so clear the mark and idle again. */
void schedule_idle(void);

/* Idle loop entry (kernel/sched/idle.c): never returns. */
__attribute__((noreturn)) void cpu_startup_entry(int state);
#define CPUHP_ONLINE 0
#define CPUHP_AP_ONLINE_IDLE 1

#endif
