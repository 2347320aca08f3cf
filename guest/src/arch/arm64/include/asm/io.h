/*
 * MMIO accessors (arch/arm64/include/asm/io.h). The MMU is off, so physical addresses are
 * used directly and every access is Device memory (it must be naturally aligned).
 * The _relaxed forms carry no barrier, as in Linux; this kernel's plain forms do not either:
 * Device-nGnRnE accesses with the MMU off are already ordered among themselves.
 */
#ifndef ASM_IO_H
#define ASM_IO_H
#include <kgdb-lab/types.h>

static inline u32 readl(phys_addr_t a) { return *(volatile u32 *)a; }
static inline void writel(u32 v, phys_addr_t a) { *(volatile u32 *)a = v; }
static inline u32 readl_relaxed(phys_addr_t a) { return *(volatile u32 *)a; }
static inline void writel_relaxed(u32 v, phys_addr_t a) { *(volatile u32 *)a = v; }
static inline void writeb_relaxed(u8 v, phys_addr_t a) { *(volatile u8 *)a = v; }

#endif
