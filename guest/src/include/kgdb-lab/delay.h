/* Busy-wait delays and time from the generic timer (include/linux/delay.h, jiffies.h). */
#ifndef KGDB_LAB_DELAY_H
#define KGDB_LAB_DELAY_H
#include <kgdb-lab/types.h>

#define HZ 100

/* CNTVCT_EL0 ticks per second (CNTFRQ_EL0), read at boot. */
extern u64 arch_timer_rate;
/* Tick periods (1/HZ s) since the tick started, kept up to date by kernel/time/tick-sched.c. */
extern volatile unsigned long jiffies;

/* The virtual counter (CNTVCT_EL0), ISB-ordered. */
u64 get_cycles(void);
/* Machine time since the counter started, in ns. */
u64 local_clock(void);
void udelay(unsigned long usecs);
void mdelay(unsigned long msecs);

#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)

#endif
