/*
 * panic() (kernel/panic.c): report, stop the other CPUs, and end the run. Linux would then
 * spin with interrupts off ("---[ end Kernel panic ..."); this kernel powers the machine off
 * with PSCI SYSTEM_OFF instead, so a run (on QEMU or kgdb-lab) ends with the report last.
 */
#include <kgdb-lab/atomic.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <asm/daifflags.h>
#include <asm/psci.h>
#include <asm/sysreg.h>

const char linux_banner_release[] = "kgdb-lab";

static atomic_t panic_cpu = ATOMIC_INIT(-1);

__noreturn void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	local_daif_mask();
	int this_cpu = (int)smp_processor_id();
	int old = atomic_cmpxchg(&panic_cpu, -1, this_cpu);
	if (old != -1 && old != this_cpu) {
		/* Another CPU is panicking already: let it finish. */
		for (;;)
			wfi();
	}

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("Kernel panic - not syncing: %s\n", buf);
	smp_send_stop();
	printk("---[ end Kernel panic - not syncing: %s ]---\n", buf);
	psci_system_off();
}
