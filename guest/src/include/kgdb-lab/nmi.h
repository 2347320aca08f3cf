/* NMI backtraces (include/linux/nmi.h, lib/nmi_backtrace.c, v8 series' bool-returning API). */
#ifndef KGDB_LAB_NMI_H
#define KGDB_LAB_NMI_H
#include <kgdb-lab/cpumask.h>

struct pt_regs;

/*
 * Print a backtrace of every CPU in mask (minus this one when exclude_self): this CPU
 * directly, the others through raise(mask), waiting up to 10 s for them. A second request
 * while one runs returns silently.
 */
void nmi_trigger_cpumask_backtrace(const struct cpumask *mask, bool exclude_self,
				   void (*raise)(const struct cpumask *mask));
/* Called by a CPU in the backtrace IPI handler; true if this CPU had been asked. */
bool nmi_cpu_backtrace(struct pt_regs *regs);
/* True if pc is in the idle functions (.cpuidle.text). */
bool cpu_in_idle(unsigned long pc);
/* The arch hook: false when the architecture cannot send the IPI (v8 patch 04/05). */
bool arch_trigger_cpumask_backtrace(const struct cpumask *mask, bool exclude_self);
/* trigger_all_cpu_backtrace() (include/linux/nmi.h). */
bool trigger_all_cpu_backtrace(void);

#endif
