/* The console UART: an Arm PL011 (PL011 TRM, DDI 0183), polled output, interrupt-driven input. */
#ifndef KGDB_LAB_SERIAL_H
#define KGDB_LAB_SERIAL_H
#include <kgdb-lab/types.h>

/* Early set-up: the registers at base, output only. */
void pl011_init(phys_addr_t base);
void pl011_putc(char c);
void pl011_write(const char *s, size_t n);
/* Enable the receive interrupt (intid from the DTB) once the GIC is up. */
void pl011_enable_rx(unsigned int intid);

#endif
