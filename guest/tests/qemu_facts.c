/*
 * QEMU-only probe: behaviour of QEMU 7.2's virt board and cortex-a57 model that the
 * differential tests deliberately avoid, because kgdb-lab may legitimately differ (or
 * because the architecture leaves it open). test/guest/qemu-facts.test.ts pins these lines
 * on QEMU so a QEMU upgrade that changes them is noticed; kgdb-lab is not compared.
 */
#include "rt.h"

static struct {
	unsigned count;
	u64 esr, far;
} last;

static int handler(struct rt_frame *f, unsigned vector)
{
	if (vector != RT_VEC_SYNC_SPX)
		return 0;
	last.count++;
	last.esr = f->esr;
	last.far = f->far;
	f->elr += 4;
	return 1;
}

/* The asm statements that may trap all clobber "memory", so `last` is re-read after them. */
static void show(const char *what)
{
	if (last.count)
		printf("%-40s esr=%08lx\n", what, last.esr);
	else
		printf("%-40s no exception\n", what);
	last.count = 0;
}

static u64 buf[8] __attribute__((aligned(64))) = { 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL };

void test_main(void)
{
	rt_set_sync_handler(handler);
	printf("SCTLR_EL1 at reset (runtime sets A=1): %lx\n", read_sysreg(sctlr_el1) & ~2UL);
	printf("MIDR_EL1: %lx  CPACR_EL1: %lx  DCZID_EL0: %lx\n", read_sysreg(midr_el1), read_sysreg(cpacr_el1),
	       read_sysreg(dczid_el0));

	/* SCTLR_EL1.A = 0: plain loads/stores may be unaligned on QEMU 7.2 even with the MMU off. */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~2UL);
	isb();
	u64 v = 0;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"((u8 *)buf + 1) : "memory");
	printf("A=0: ldr x at +1 -> %lx\n", v);
	show("A=0: ldr x at +1");
	__asm__ volatile("str %w0, [%1]" : : "r"(0xaabbccddu), "r"((u8 *)buf + 3) : "memory");
	show("A=0: str w at +3");
	__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"((u8 *)buf + 4) : "memory");
	show("A=0: ldxr x at +4");
	__asm__ volatile("ldar %w0, [%1]" : "=r"(v) : "r"((u8 *)buf + 2) : "memory");
	show("A=0: ldar w at +2");
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 2UL);
	isb();

	__asm__ volatile(".inst 0x9e670020" ::: "memory"); /* fmov d0, x1 with CPACR_EL1.FPEN = 0 */
	show("fmov d0, x1 (FP disabled)");
	__asm__ volatile("dc zva, %0" : : "r"(buf) : "memory");
	show("dc zva on RAM, MMU off");
	__asm__ volatile("mov x9, sp\n\tsub sp, sp, #24\n\tldr x10, [sp]\n\tmov sp, x9" ::: "x9", "x10", "memory");
	show("ldr [sp] with sp % 16 == 8 (SA=1)");

	printf("virtio-mmio 0x0a000000: magic=%x version=%x device=%x vendor=%x\n", mmio_read32(0x0a000000),
	       mmio_read32(0x0a000004), mmio_read32(0x0a000008), mmio_read32(0x0a00000c));
	printf("pl011: FR=%x CR=%x IMSC=%x PeriphID=%x %x %x %x CellID=%x %x %x %x\n", mmio_read32(0x09000018),
	       mmio_read32(0x09000030), mmio_read32(0x09000038), mmio_read32(0x09000fe0), mmio_read32(0x09000fe4),
	       mmio_read32(0x09000fe8), mmio_read32(0x09000fec), mmio_read32(0x09000ff0), mmio_read32(0x09000ff4),
	       mmio_read32(0x09000ff8), mmio_read32(0x09000ffc));
	register u64 x0 __asm__("x0") = PSCI_VERSION;
	__asm__ volatile("hvc #0x1234" : "+r"(x0) : : "memory");
	printf("hvc #0x1234 with PSCI_VERSION: x0=%lx\n", x0);
	rt_set_sync_handler(NULL);
}
