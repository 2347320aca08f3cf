/* System register access and barriers (ARM ARM C5.2, C6.2 MRS/MSR/ISB/DSB/DMB). */
#ifndef ASM_SYSREG_H
#define ASM_SYSREG_H
#include <kgdb-lab/types.h>

#define read_sysreg(r) ({ u64 __val; __asm__ volatile("mrs %0, " #r : "=r"(__val)); __val; })
#define write_sysreg(r, v) do { u64 __val = (u64)(v); __asm__ volatile("msr " #r ", %0" : : "r"(__val)); } while (0)

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt : : : "memory")
#define wfi() __asm__ volatile("wfi" : : : "memory")
#define wfe() __asm__ volatile("wfe" : : : "memory")
#define sev() __asm__ volatile("sev" : : : "memory")

/* MPIDR_EL1 affinity fields (Aff3 at [39:32], Aff2..Aff0 at [23:0]). */
#define MPIDR_HWID_MASK 0xff00ffffffUL

static inline u64 read_cpuid_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
}

#define ESR_ELx_EC(esr) (((esr) >> 26) & 0x3f)

#endif
