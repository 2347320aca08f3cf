/*
 * Frame-record unwinding (arch/arm64/kernel/stacktrace.c): x29 points at {caller's x29,
 * return address}; exception entry adds a synthetic record in pt_regs->stackframe holding
 * {interrupted x29, ELR}, so a backtrace walks from a handler into the interrupted code.
 * The entry points end the chain with a zero frame pointer.
 */
#ifndef ASM_STACKTRACE_H
#define ASM_STACKTRACE_H
#include <kgdb-lab/types.h>

struct pt_regs;
struct task_struct;

typedef bool (*stack_trace_consume_fn)(void *cookie, unsigned long pc);

/*
 * Call consume_entry for each return address of the current CPU's stack: from regs (its pc,
 * then its frame chain) when regs is given, else from the caller of arch_stack_walk.
 */
void arch_stack_walk(stack_trace_consume_fn consume_entry, void *cookie, struct pt_regs *regs);
/* "Call trace:" and one " symbol+off/size" line per frame. */
void dump_backtrace(struct pt_regs *regs);
/* Print "CPU: n UID: 0 PID: ..." and the current backtrace (lib/dump_stack.c). */
void dump_stack(void);
/* The "CPU: %d UID: 0 PID: %d Comm: ..." and "Hardware name: ..." lines. */
void dump_stack_print_info(void);
/* Set the "Hardware name" text (lib/dump_stack.c); setup passes "%s (DT)" and the DTB's /model. */
void dump_stack_set_arch_desc(const char *fmt, ...) __printf(1, 2);

#endif
