/* arm64 kgdb definitions (arch/arm64/include/asm/kgdb.h). */
#ifndef ASM_KGDB_H
#define ASM_KGDB_H
#include <asm/debug-monitors.h>

static __always_inline void arch_kgdb_breakpoint(void)
{
	__asm__ volatile("brk %0" : : "I"(KGDB_COMPILED_DBG_BRK_IMM));
}

#define BREAK_INSTR_SIZE AARCH64_INSN_SIZE

/* gdb's register layout for kgdb: x0-x30, sp, pc (8 bytes), pstate (4), v0-v31 (16), fpsr, fpcr (4). */
#define _GP_REGS 33
#define _FP_REGS 32
#define _EXTRA_REGS 3
#define DBG_MAX_REG_NUM (_GP_REGS + _FP_REGS + _EXTRA_REGS)
#define NUMREGBYTES ((_GP_REGS * 8) + (_FP_REGS * 16) + (_EXTRA_REGS * 4))

#endif
