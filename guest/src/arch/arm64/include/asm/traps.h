/* Synchronous exception handlers called from entry-common.c (arch/arm64/kernel/traps.c, mm/fault.c, debug-monitors.c). */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

struct pt_regs;

/* Data and instruction aborts at EL1 (alignment faults included). */
void do_mem_abort(unsigned long far, unsigned long esr, struct pt_regs *regs);
/* PC (or SP) alignment faults. */
void do_sp_pc_abort(unsigned long addr, unsigned long esr, struct pt_regs *regs);
/* UNDEFINED instructions and trapped system register accesses at EL1. */
void do_el1_undef(struct pt_regs *regs, unsigned long esr);
/* BRK, software step, breakpoints and watchpoints at EL1. */
void do_debug_exception(unsigned long addr_if_watchpoint, unsigned long esr, struct pt_regs *regs);
/* A short description of ESR's exception class ("Unknown/Uncategorized", "BRK (AArch64)", ...). */
const char *esr_get_class_string(unsigned long esr);

#endif
