/*
 * BRK immediates and break-hook dispatch (arch/arm64/include/asm/brk-imm.h,
 * debug-monitors.h). kgdb owns 0x400-0x7ff: 0x400 for breakpoints the debugger inserts,
 * 0x401 for the compiled-in kgdb_breakpoint().
 */
#ifndef ASM_DEBUG_MONITORS_H
#define ASM_DEBUG_MONITORS_H

#define FAULT_BRK_IMM 0x100
#define KGDB_DYN_DBG_BRK_IMM 0x400
#define KGDB_COMPILED_DBG_BRK_IMM 0x401
#define BUG_BRK_IMM 0x800

/* A64 BRK: 0xd4200000 | imm16 << 5. */
#define AARCH64_BREAK_MON 0xd4200000
#define AARCH64_BREAK_KGDB_DYN_DBG (AARCH64_BREAK_MON | (KGDB_DYN_DBG_BRK_IMM << 5))
#define AARCH64_INSN_SIZE 4

#define DBG_HOOK_HANDLED 0
#define DBG_HOOK_ERROR 1

#ifndef __ASSEMBLER__
struct pt_regs;
/* Run the hook for a BRK at EL1 (brk_handler); DBG_HOOK_ERROR when nothing claims it. */
int call_break_hook(struct pt_regs *regs, unsigned long esr);
/* The kgdb hooks (arch/arm64/kernel/kgdb.c). */
int kgdb_brk_fn(struct pt_regs *regs, unsigned long esr);
int kgdb_compiled_brk_fn(struct pt_regs *regs, unsigned long esr);
int kgdb_step_brk_fn(struct pt_regs *regs, unsigned long esr);
#endif

#endif
