/*
 * Frame-pointer unwinding (arch/arm64/kernel/stacktrace.c) and stack dumps
 * (lib/dump_stack.c). Every function keeps a frame record {x29, x30} (the kernel is built
 * with -fno-omit-frame-pointer); exception entry adds one in pt_regs->stackframe, so a walk
 * from a handler continues into the interrupted code. A record is followed only if it is
 * 8-byte aligned, lies on this CPU's stack and above the previous one; a zero frame pointer
 * (set by head.S) ends the walk.
 */
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/sched.h>
#include <kgdb-lab/string.h>
#include <asm/ptrace.h>
#include <asm/stacktrace.h>

/* Hardly any real trace is this deep; a longer chain means a loop in corrupted records. */
#define MAX_FRAMES 256

static char dump_stack_arch_desc_str[64];

void dump_stack_set_arch_desc(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(dump_stack_arch_desc_str, sizeof(dump_stack_arch_desc_str), fmt, args);
	va_end(args);
}

struct unwind_state {
	unsigned long fp;
	unsigned long pc;
};

/* Step to the caller's frame record; false at the end of the chain or on a bad record. */
static bool unwind_next(struct unwind_state *state)
{
	unsigned long fp = state->fp;
	if (fp == 0 || (fp & 0x7))
		return false;
	if (!on_task_stack(current, fp, 16))
		return false;
	unsigned long next_fp = READ_ONCE(*(unsigned long *)fp);
	unsigned long next_pc = READ_ONCE(*(unsigned long *)(fp + 8));
	/* Records are pushed downwards: the caller's lies above. */
	if (next_fp != 0 && next_fp <= fp)
		return false;
	state->fp = next_fp;
	state->pc = next_pc;
	return true;
}

static void unwind(struct unwind_state *state, stack_trace_consume_fn consume_entry, void *cookie)
{
	for (int n = 0; n < MAX_FRAMES; n++) {
		if (!consume_entry(cookie, state->pc))
			return;
		if (!unwind_next(state))
			return;
		/* The entry code's final record {0, 0}: nothing more to report. */
		if (state->pc == 0)
			return;
	}
}

noinline void arch_stack_walk(stack_trace_consume_fn consume_entry, void *cookie, struct pt_regs *regs)
{
	struct unwind_state state;
	if (regs) {
		state.fp = regs->regs[29];
		state.pc = regs->pc;
	} else {
		/*
		 * Start at our caller: our own frame record holds the caller's frame pointer
		 * and our return address into it.
		 */
		const unsigned long *record = __builtin_frame_address(0);
		state.fp = record[0];
		state.pc = record[1];
	}
	unwind(&state, consume_entry, cookie);
}

static bool dump_backtrace_entry(void *cookie, unsigned long where)
{
	(void)cookie;
	printk(" %pS\n", (void *)where);
	return true;
}

noinline void dump_backtrace(struct pt_regs *regs)
{
	printk("Call trace:\n");
	arch_stack_walk(dump_backtrace_entry, NULL, regs);
	keep_frame();
}

/*
 * lib/dump_stack.c as Linux 6.12 prints it (with the task's UID, added in 6.10): the form
 * users see in real SysRq-l and oops output. Every task here is a kernel thread (UID 0).
 */
void dump_stack_print_info(void)
{
	struct task_struct *tsk = current;
	printk("CPU: %u UID: 0 PID: %d Comm: %s Not tainted %s #1\n", smp_processor_id(), tsk->pid, tsk->comm,
	       linux_banner_release);
	if (dump_stack_arch_desc_str[0] != '\0')
		printk("Hardware name: %s\n", dump_stack_arch_desc_str);
}

noinline void dump_stack(void)
{
	unsigned long flags = printk_cpu_sync_get_irqsave();
	dump_stack_print_info();
	dump_backtrace(NULL);
	printk_cpu_sync_put_irqrestore(flags);
}
