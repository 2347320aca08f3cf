/* PSCI (Arm DEN0022) client: function IDs, return codes, calls through the DTB conduit. */
#ifndef ASM_PSCI_H
#define ASM_PSCI_H
#include <kgdb-lab/kernel.h>

#define PSCI_0_2_FN_PSCI_VERSION 0x84000000UL
#define PSCI_0_2_FN_CPU_OFF 0x84000002UL
#define PSCI_0_2_FN64_CPU_ON 0xc4000003UL
#define PSCI_0_2_FN64_AFFINITY_INFO 0xc4000004UL
#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008UL
#define PSCI_0_2_FN_SYSTEM_RESET 0x84000009UL

#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)

/* Choose HVC or SMC from /psci "method" (HVC when absent, as on QEMU virt without EL2/EL3). */
void psci_dt_init(const void *fdt);
u32 psci_version(void);
int psci_cpu_on(u64 mpidr, phys_addr_t entry, u64 context_id);
int psci_affinity_info(u64 mpidr);
__noreturn void psci_cpu_off(void);
__noreturn void psci_system_off(void);
__noreturn void psci_system_reset(void);

#endif
