/*
 * Architecture setup (arch/arm64/kernel/setup.c): find the device tree, bring up the console
 * it names, read the command line (/chosen/bootargs), the machine model, the PSCI conduit
 * and the CPU topology.
 */
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/param.h>
#include <kgdb-lab/serial.h>
#include <kgdb-lab/smp.h>
#include <kgdb-lab/string.h>
#include <asm/daifflags.h>
#include <asm/psci.h>
#include <asm/stacktrace.h>

/* QEMU virt RAM base: where the DTB sits when the loader does not pass it in x0. */
#define DTB_DEFAULT_PA 0x40000000UL
/* QEMU virt UART0, used when the DTB does not name a console. */
#define UART0_DEFAULT_PA 0x09000000UL
/* QEMU virt UART0's interrupt: SPI 1. */
#define UART0_DEFAULT_INTID 33
#define GIC_FDT_IRQ_TYPE_SPI 0

const void *initial_boot_params;
/* INTID of the console UART's interrupt. */
unsigned int console_intid = UART0_DEFAULT_INTID;
static const char *machine_model;

void setup_arch(phys_addr_t dtb_pa);
const char *setup_machine_model(void);

/* The node named by /chosen/stdout-path ("/pl011@9000000[:options]"), or a negative error. */
static int stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return chosen;
	u32 len;
	const char *path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len < 2)
		return FDT_ERR_NOTFOUND;
	char buf[64];
	size_t n = 0;
	while (n < sizeof(buf) - 1 && n < len && path[n] && path[n] != ':')
		buf[n] = path[n], n++;
	buf[n] = '\0';
	return fdt_path_offset(fdt, buf);
}

static phys_addr_t console_base(const void *fdt, int node)
{
	u32 len;
	int root = fdt_path_offset(fdt, "/");
	unsigned int ac = fdt_get_cells(fdt, root, "#address-cells", 2);
	const void *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	return reg && len >= 4 * ac ? fdt_read_number(reg, ac) : UART0_DEFAULT_PA;
}

/* The console's interrupt: a GIC SPI specifier <0 n flags> gives INTID 32 + n. */
static unsigned int console_irq(const void *fdt, int node)
{
	u32 len;
	const u32 *irq = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;
	if (!irq || len < 12 || fdt32_to_cpu(irq[0]) != GIC_FDT_IRQ_TYPE_SPI)
		return UART0_DEFAULT_INTID;
	return 32 + fdt32_to_cpu(irq[1]);
}

void setup_arch(phys_addr_t dtb_pa)
{
	const void *fdt = (const void *)(dtb_pa ? dtb_pa : DTB_DEFAULT_PA);
	if (!fdt_valid(fdt))
		fdt = fdt_valid((const void *)DTB_DEFAULT_PA) ? (const void *)DTB_DEFAULT_PA : NULL;
	initial_boot_params = fdt;
	int node = fdt ? stdout_node(fdt) : -1;
	pl011_init(fdt ? console_base(fdt, node) : UART0_DEFAULT_PA);
	if (fdt)
		console_intid = console_irq(fdt, node);

	/* Unmask asynchronous aborts (and debug) once the console can report them. */
	local_daif_restore(DAIF_PROCCTX_NOIRQ);

	if (!fdt) {
		smp_init_cpus(NULL);
		return;
	}
	int chosen = fdt_path_offset(fdt, "/chosen");
	u32 len;
	const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", &len) : NULL;
	if (args && len > 0 && strnlen(args, len) < len)
		boot_command_line = args;
	const char *model = fdt_getprop(fdt, fdt_path_offset(fdt, "/"), "model", &len);
	if (model && len > 0 && strnlen(model, len) < len) {
		machine_model = model;
		dump_stack_set_arch_desc("%s (DT)", model);	/* as setup_machine_fdt */
	}
	psci_dt_init(fdt);
	smp_init_cpus(fdt);
}

const char *setup_machine_model(void)
{
	return machine_model;
}
