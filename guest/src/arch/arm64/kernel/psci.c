/*
 * PSCI client (Arm DEN0022D). The conduit comes from the DTB /psci "method" property:
 * "hvc" on QEMU virt without virtualization/secure (hw/arm/virt.c fdt_add_psci_node), "smc"
 * when EL3 firmware is present.
 */
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/string.h>
#include <asm/psci.h>

typedef u64 (*psci_fn)(u64, u64, u64, u64);

static u64 psci_hvc(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

static u64 psci_smc(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;
	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

static psci_fn invoke_psci_fn = psci_hvc;

void psci_dt_init(const void *fdt)
{
	int node = fdt_path_offset(fdt, "/psci");
	if (node < 0)
		return;
	u32 len;
	const char *method = fdt_getprop(fdt, node, "method", &len);
	if (method && len >= 4 && strcmp(method, "smc") == 0)
		invoke_psci_fn = psci_smc;
}

u32 psci_version(void)
{
	return (u32)invoke_psci_fn(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);
}

int psci_cpu_on(u64 mpidr, phys_addr_t entry, u64 context_id)
{
	return (int)invoke_psci_fn(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context_id);
}

int psci_affinity_info(u64 mpidr)
{
	return (int)invoke_psci_fn(PSCI_0_2_FN64_AFFINITY_INFO, mpidr, 0, 0);
}

__noreturn void psci_cpu_off(void)
{
	invoke_psci_fn(PSCI_0_2_FN_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

__noreturn void psci_system_off(void)
{
	invoke_psci_fn(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

__noreturn void psci_system_reset(void)
{
	invoke_psci_fn(PSCI_0_2_FN_SYSTEM_RESET, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
