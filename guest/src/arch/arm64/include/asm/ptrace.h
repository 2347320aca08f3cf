/*
 * struct pt_regs: the register frame the exception vectors (entry.S) save on the stack,
 * laid out exactly as Linux v6.3 arch/arm64/include/asm/ptrace.h, so that kgdb (and any
 * tool that knows Linux's layout) can read it:
 *
 *   offset  field
 *   0       regs[31]   x0..x30
 *   248     sp         the interrupted SP
 *   256     pc         ELR_EL1
 *   264     pstate     SPSR_EL1
 *   272     orig_x0
 *   280     syscallno  (s32; NO_SYSCALL for exceptions from EL1)
 *   284     unused2
 *   288     sdei_ttbr1 (replaced orig_addr_limit in 5.11)
 *   296     pmr_save   ICC_PMR_EL1 at entry (valid with pseudo-NMI)
 *   304     stackframe[2]  frame record {fp, pc} chaining the interrupted code into backtraces
 *   320     lockdep_hardirqs
 *   328     exit_rcu
 *   336     sizeof(struct pt_regs) = PT_REGS_SIZE (a multiple of 16, as SP alignment needs)
 */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

/* PSTATE / SPSR bits (arch/arm64/include/uapi/asm/ptrace.h). */
#define PSR_MODE_EL1h 0x00000005
#define PSR_MODE_MASK 0x0000000f
#define PSR_F_BIT 0x00000040
#define PSR_I_BIT 0x00000080
#define PSR_A_BIT 0x00000100
#define PSR_D_BIT 0x00000200
#define PSR_BTYPE_SHIFT 10
#define PSR_BTYPE_MASK 0x00000c00
#define PSR_SSBS_BIT 0x00001000
#define PSR_SS_BIT 0x00200000
#define PSR_PAN_BIT 0x00400000
#define PSR_UAO_BIT 0x00800000
#define PSR_DIT_BIT 0x01000000
#define PSR_TCO_BIT 0x02000000
#define PSR_V_BIT 0x10000000
#define PSR_C_BIT 0x20000000
#define PSR_Z_BIT 0x40000000
#define PSR_N_BIT 0x80000000

/*
 * GIC priority masking values of the seed's era (Linux up to 6.10, GICD_CTLR.DS = 1 view):
 * PMR 0xe0 lets everything through, 0x60 (0xe0 with bit 7 clear) blocks ordinary IRQs at
 * the default priority 0xa0 but not NMIs at 0x20; bit 4 in PMR records "PSTATE.I is set,
 * masking does not rely on PMR".
 */
#define GIC_PRIO_IRQON 0xe0
#define __GIC_PRIO_IRQOFF (GIC_PRIO_IRQON & ~0x80)
#define GIC_PRIO_IRQOFF __GIC_PRIO_IRQOFF
#define GIC_PRIO_PSR_I_SET (1 << 4)

/* Value of syscallno for exceptions that are not system calls. */
#define NO_SYSCALL (-1)

#define S_X0 0
#define S_X1 8
#define S_X2 16
#define S_LR 240
#define S_SP 248
#define S_PC 256
#define S_PSTATE 264
#define S_ORIG_X0 272
#define S_SYSCALLNO 280
#define S_SDEI_TTBR1 288
#define S_PMR_SAVE 296
#define S_STACKFRAME 304
#define PT_REGS_SIZE 336

#ifndef __ASSEMBLER__
#include <kgdb-lab/compiler.h>
#include <kgdb-lab/types.h>
#include <asm/cpufeature.h>

struct pt_regs {
	union {
		struct {
			u64 regs[31];
			u64 sp;
			u64 pc;
			u64 pstate;
		};
	};
	u64 orig_x0;
	s32 syscallno;
	u32 unused2;
	u64 sdei_ttbr1;
	/* Only valid when the kernel masks interrupts with ICC_PMR_EL1 (pseudo-NMI). */
	u64 pmr_save;
	u64 stackframe[2];
	/* Only valid for some EL1 exceptions. */
	u64 lockdep_hardirqs;
	u64 exit_rcu;
};

BUILD_BUG_ON(offsetof(struct pt_regs, sp) != S_SP);
BUILD_BUG_ON(offsetof(struct pt_regs, pc) != S_PC);
BUILD_BUG_ON(offsetof(struct pt_regs, pstate) != S_PSTATE);
BUILD_BUG_ON(offsetof(struct pt_regs, syscallno) != S_SYSCALLNO);
BUILD_BUG_ON(offsetof(struct pt_regs, pmr_save) != S_PMR_SAVE);
BUILD_BUG_ON(offsetof(struct pt_regs, stackframe) != S_STACKFRAME);
BUILD_BUG_ON(sizeof(struct pt_regs) != PT_REGS_SIZE);
BUILD_BUG_ON(PT_REGS_SIZE % 16 != 0);

#define user_mode(regs) (((regs)->pstate & PSR_MODE_MASK) == 0)
#define instruction_pointer(regs) ((regs)->pc)

/* PMR value at entry allowed IRQs (only meaningful with pseudo-NMI). */
#define irqs_priority_unmasked(regs) (system_uses_irq_prio_masking() ? (regs)->pmr_save == GIC_PRIO_IRQON : true)
/* The interrupted context had interrupts enabled: PSTATE.I clear and (with pseudo-NMI) PMR open. */
#define interrupts_enabled(regs) (!((regs)->pstate & PSR_I_BIT) && irqs_priority_unmasked(regs))

/* Print the registers and a backtrace of an exception frame (arch/arm64/kernel/process.c). */
void show_regs(struct pt_regs *regs);
void __show_regs(struct pt_regs *regs);

#endif /* __ASSEMBLER__ */
#endif
