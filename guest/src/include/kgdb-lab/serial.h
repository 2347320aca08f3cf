/* The early/boot console: an Arm PL011 UART (PL011 TRM, DDI 0183). */
#ifndef KGDB_LAB_SERIAL_H
#define KGDB_LAB_SERIAL_H
#include <kgdb-lab/types.h>

void pl011_init(phys_addr_t base);
void pl011_putc(char c);
void pl011_write(const char *s, size_t n);

#endif
