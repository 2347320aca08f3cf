/* MMIO accessors. The MMU is off, so physical addresses are used directly (Device memory). */
#ifndef ASM_IO_H
#define ASM_IO_H
#include <kgdb-lab/types.h>

static inline u32 readl(phys_addr_t a) { return *(volatile u32 *)a; }
static inline void writel(u32 v, phys_addr_t a) { *(volatile u32 *)a = v; }

#endif
