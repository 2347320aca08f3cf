/* The Arm generic timer, EL1 virtual timer (drivers/clocksource/arm_arch_timer.c). */
#ifndef ASM_ARCH_TIMER_H
#define ASM_ARCH_TIMER_H
#include <kgdb-lab/types.h>

/* CNTV_CTL_EL0 bits. */
#define ARCH_TIMER_CTRL_ENABLE (1 << 0)
#define ARCH_TIMER_CTRL_IT_MASK (1 << 1)
#define ARCH_TIMER_CTRL_IT_STAT (1 << 2)

/* Find the timer's virtual PPI in the DTB, request it and start the boot CPU's tick. */
void time_init(const void *fdt);
/* Start this CPU's periodic tick on the common grid (secondaries, as they come up). */
void arch_timer_starting_cpu(unsigned int cpu);
/* Program this CPU's timer to fire at counter value cval, unmasked (set_next_event). */
void arch_timer_set_next_event(u64 cval);
/* Stop this CPU's timer (arch_timer_shutdown: CLOCK_EVT_STATE_SHUTDOWN / ONESHOT_STOPPED). */
void arch_timer_shutdown(void);

#endif
