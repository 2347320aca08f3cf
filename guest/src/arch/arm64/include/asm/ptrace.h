/* Register frame saved by the exception vectors (entry.S); same layout as struct pt_regs' head. */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H
#include <kgdb-lab/types.h>

struct pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;     /* ELR_EL1 */
	u64 pstate; /* SPSR_EL1 */
	u64 esr;
	u64 far;
};

#define S_FRAME_SIZE 288 /* sizeof(struct pt_regs); entry.S depends on it */

#endif
