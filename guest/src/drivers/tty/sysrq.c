/*
 * Magic SysRq (drivers/tty/sysrq.c), reached from the serial console: a break followed by
 * a key. This kernel knows 'g' (enter the debugger, as kgdb registers it) and 'l' (NMI
 * backtrace of all active CPUs); any other key prints the help line.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/kgdb.h>
#include <kgdb-lab/nmi.h>
#include <kgdb-lab/sysrq.h>

struct sysrq_key_op {
	void (*handler)(int key);
	const char *help_msg;
	const char *action_msg;
};

/* kernel/debug/debug_core.c sysrq_handle_dbg; the I/O driver (kgdboc) is the debugger's side here. */
static void sysrq_handle_dbg(int key)
{
	(void)key;
	printk("KGDB: Entering KGDB\n");
	kgdb_breakpoint();
}

static void sysrq_handle_showallcpus(int key)
{
	(void)key;
	/*
	 * Fall back to the workqueue based printing if the backtrace printing did not succeed
	 * or the architecture has no support for it: here, when there is no dynamic IPI.
	 */
	if (!trigger_all_cpu_backtrace())
		printk("sysrq: no NMI backtrace support on this CPU setup\n");
}

static const struct sysrq_key_op sysrq_dbg_op = {
	.handler = sysrq_handle_dbg,
	.help_msg = "debug(g)",
	.action_msg = "DEBUG",
};

static const struct sysrq_key_op sysrq_showallcpus_op = {
	.handler = sysrq_handle_showallcpus,
	.help_msg = "show-backtrace-all-active-cpus(l)",
	.action_msg = "Show backtrace of all active CPUs",
};

static const struct sysrq_key_op *sysrq_get_key_op(int key)
{
	switch (key) {
	case 'g':
		return &sysrq_dbg_op;
	case 'l':
		return &sysrq_showallcpus_op;
	default:
		return NULL;
	}
}

void handle_sysrq(int key)
{
	const struct sysrq_key_op *op = sysrq_get_key_op(key);
	if (op) {
		printk("sysrq: %s\n", op->action_msg);
		op->handler(key);
	} else {
		printk("sysrq: HELP : %s %s\n", sysrq_dbg_op.help_msg, sysrq_showallcpus_op.help_msg);
	}
}
