/*
 * The kgdb entry points, with Linux's names and signatures (include/linux/kgdb.h). The debug
 * core itself is not in this kernel: these are ordinary functions that a debugger hooks by
 * address. Each returns 1, "not handled", when nobody does (as on QEMU), and the kernel then
 * carries on as a Linux kernel without a kgdb I/O driver would.
 */
#ifndef KGDB_LAB_KGDB_H
#define KGDB_LAB_KGDB_H
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/types.h>

struct pt_regs;

/*
 * An exception for the debugger on this CPU: a BRK (vector 1, SIGTRAP, err 0), a single
 * step (vector 0, SIGTRAP) or a fatal fault through the die notifier (vector 1, SIGILL /
 * SIGSEGV / SIGBUS, err DIE_OOPS). Returns 0 if the debugger handled it (regs may have
 * been changed), 1 otherwise.
 */
int kgdb_handle_exception(int vector, int signo, int err_code, struct pt_regs *regs);
/*
 * Called by a CPU that took the round-up IPI (pseudo-NMI or IRQ), with the interrupted
 * context's registers. Returns 0 if the CPU entered the debugger as a slave (and has now
 * been released), 1 if no debugger session wanted it.
 */
int kgdb_nmicallback(int cpu, void *regs);
/* Trap into the debugger: executes BRK #0x401 (KGDB_COMPILED_DBG_BRK_IMM). */
void kgdb_breakpoint(void);
/* Bring the other online CPUs into the debugger (v8: the dynamic SGI, else the csd fallback). */
void kgdb_roundup_cpus(void);
/* The generic round-up through smp_call_function_single_async (IPI_CALL_FUNC), v8 patch 07. */
void kgdb_smp_call_nmi_hook(void);

/* INTID of the SGI that rounds CPUs up (the v8 dynamic IPI, SGI 7), or -1 if there is none. */
extern int kgdb_roundup_sgi;
/* 1 while a kgdb_breakpoint() is in progress (Linux's kgdb_setting_breakpoint). */
extern int kgdb_setting_breakpoint;

/* die notifier command for a kernel oops (include/linux/kdebug.h DIE_OOPS). */
#define DIE_OOPS 1

#endif
