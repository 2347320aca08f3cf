/*
 * The PL011 receive interrupt through the GIC: SPI 33, level-sensitive, routed to CPU 0 by
 * GICD_IROUTER. The harness types "kgdb\n" on the serial line (QEMU -serial stdio, kgdb-lab's
 * stdin); the guest sleeps in WFI with interrupts open and reads characters in the handler
 * until it has a whole line, or gives up after 10 s (a virtual-timer watchdog wakes it).
 *
 * PL011: ARM DDI 0183 (UARTIMSC.RXIM bit 4, UARTMIS, UARTFR.RXFE bit 4). How many interrupts
 * the line takes depends on when the host's bytes arrive, so only bounds are printed.
 */
#include "gic_lib.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTIMSC 0x038
#define UARTMIS 0x040
#define UARTICR 0x044
#define UART_RXIM (1u << 4)
#define UART_RTIM (1u << 6)
#define UARTFR_RXFE (1u << 4)

static char line[64];
static volatile unsigned len;
static volatile bool done;
static volatile unsigned irqs;
static volatile u32 first_mis;
static volatile bool watchdog;

static int irq_handler(struct rt_frame *f, unsigned vector)
{
	(void)f;
	(void)vector;
	u64 intid = read_sysreg(icc_iar1_el1);
	if (intid == INTID_UART0) {
		if (irqs++ == 0)
			first_mis = mmio_read32(RT_UART0_BASE + UARTMIS);
		/* Drain the FIFO: RXRIS clears when it is empty, which lowers the level. */
		while (!(mmio_read32(RT_UART0_BASE + UARTFR) & UARTFR_RXFE)) {
			char c = (char)(mmio_read32(RT_UART0_BASE + UARTDR) & 0xff);
			if (c == '\n' || c == '\r')
				done = true;
			else if (len < sizeof(line) - 1 && !done)
				line[len++] = c;
		}
	} else if (intid == INTID_VTIMER) {
		write_sysreg(cntv_ctl_el0, 0);
		watchdog = true;
	}
	if (intid < 1020)
		write_sysreg(icc_eoir1_el1, intid);
	return 1;
}

void test_main(void)
{
	rt_set_irq_handler(irq_handler);
	struct gic_rdist r;
	if (!gic_read_rdist_regions() || !gic_find_rdist(&r))
		rt_fail("no redistributor found for CPU 0");
	gic_dist_init();
	gic_cpu_init(r.base, 0xa0);
	gicr_write(r.base, GICR_ISENABLER0, 1u << INTID_VTIMER);
	gicd_write(GICD_IGROUPR + 4, 1u << (INTID_UART0 - 32));
	*(volatile u8 *)(RT_GICD_BASE + GICD_IPRIORITYR + INTID_UART0) = 0xa0;
	mmio_write64(RT_GICD_BASE + GICD_IROUTER + INTID_UART0 * 8, rt_read_mpidr() & 0xffffff);
	gicd_write(GICD_ISENABLER + 4, 1u << (INTID_UART0 - 32));
	gicd_wait_rwp();
	printf("waiting for a line on the serial port\n");

	write_sysreg(cntv_tval_el0, 10000 * TICKS_PER_MS);
	write_sysreg(cntv_ctl_el0, 1);
	mmio_write32(RT_UART0_BASE + UARTIMSC, UART_RXIM | UART_RTIM);
	isb();
	unsigned wakes = 0;
	unmask_irq();
	while (!done && !watchdog) {
		__asm__ volatile("wfi" ::: "memory");
		wakes++;
	}
	mask_irq();
	mmio_write32(RT_UART0_BASE + UARTIMSC, 0);
	write_sysreg(cntv_ctl_el0, 0);
	line[len] = '\0';
	printf("line received by interrupt: '%s'; watchdog fired: %s\n", line, yn(watchdog));
	printf("UART interrupts taken: at least 1: %s, at most one per character: %s; first UARTMIS has RXMIS: %s\n",
	       yn(irqs >= 1), yn(irqs <= len + 1), yn(first_mis & UART_RXIM));
	printf("SPI 33 pending after the FIFO was drained: %s\n", yn((gicd_read(GICD_ISPENDR + 4) >> 1) & 1));
	(void)wakes;
}
