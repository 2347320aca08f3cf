/*
 * The periodic tick and its NO_HZ_IDLE stop/restart (include/linux/tick.h,
 * kernel/time/tick-sched.c). The clockevent under it is each CPU's EL1 virtual timer
 * (asm/arch_timer.h).
 */
#ifndef KGDB_LAB_TICK_H
#define KGDB_LAB_TICK_H
#include <kgdb-lab/types.h>

/* Set up the jiffies grid and the nohz= mode, once, on the boot CPU (tick_init). */
void tick_init(u64 tick_period_cycles);
/* Start this CPU's periodic tick on the grid (tick_setup_sched_timer). */
void tick_setup_sched_timer(void);
/* The tick interrupt of this CPU (tick_sched_timer). */
void tick_sched_timer(void);

/* The idle loop's calls, as kernel/sched/idle.c makes them. */
void tick_nohz_idle_enter(void);
void tick_nohz_idle_stop_tick(void);
void tick_nohz_idle_exit(void);
/* irq_enter() on an idle CPU: bring a stale jiffies up to date (tick_irq_enter). */
void tick_irq_enter(void);

#endif
