/* The Arm generic timer, EL1 virtual timer (drivers/clocksource/arm_arch_timer.c). */
#ifndef ASM_ARCH_TIMER_H
#define ASM_ARCH_TIMER_H

/* CNTV_CTL_EL0 bits. */
#define ARCH_TIMER_CTRL_ENABLE (1 << 0)
#define ARCH_TIMER_CTRL_IT_MASK (1 << 1)
#define ARCH_TIMER_CTRL_IT_STAT (1 << 2)

/* Find the timer's virtual PPI in the DTB, request it and start the boot CPU's tick. */
void time_init(const void *fdt);
/* Start this CPU's periodic tick (secondaries, as they come up). */
void arch_timer_starting_cpu(unsigned int cpu);
/* Ticks taken by cpu. */
unsigned long arch_timer_ticks(unsigned int cpu);

#endif
