/* System register access and barriers (ARM ARM C5.2, C6.2 MRS/MSR/ISB/DSB/DMB). */
#ifndef ASM_SYSREG_H
#define ASM_SYSREG_H
#include <kgdb-lab/types.h>

#define read_sysreg(r) ({ u64 __val; __asm__ volatile("mrs %0, " #r : "=r"(__val)); __val; })
#define write_sysreg(v, r) do { u64 __val = (u64)(v); __asm__ volatile("msr " #r ", %x0" : : "rZ"(__val)); } while (0)

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt : : : "memory")
#define wfi() __asm__ volatile("wfi" : : : "memory")
#define wfe() __asm__ volatile("wfe" : : : "memory")
#define sev() __asm__ volatile("sev" : : : "memory")
#define mb() dsb(sy)
#define wmb() dsb(st)
#define smp_mb() dmb(ish)
#define smp_wmb() dmb(ishst)
#define smp_rmb() dmb(ishld)

/* MPIDR_EL1 affinity fields (Aff3 at [39:32], Aff2..Aff0 at [23:0]). */
#define MPIDR_HWID_MASK 0xff00ffffffUL
#define MPIDR_LEVEL_SHIFT(level) (((1 << (level)) >> 1) << 3)
#define MPIDR_AFFINITY_LEVEL(mpidr, level) (((mpidr) >> MPIDR_LEVEL_SHIFT(level)) & 0xff)

static inline u64 read_cpuid_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
}

static inline u32 read_cpuid_id(void)
{
	return (u32)read_sysreg(midr_el1);
}

/* SCTLR_EL1.A: alignment checking on every data access (ARM ARM D13.2.118). */
#define SCTLR_ELx_A (1UL << 1)

/* ID_AA64PFR0_EL1.GIC, bits [27:24]: 1 = GICv3/v4 system-register interface. */
#define ID_AA64PFR0_EL1_GIC_SHIFT 24

/* MDSCR_EL1.SS (bit 0): software step enable. */
#define DBG_MDSCR_SS (1UL << 0)

#endif
