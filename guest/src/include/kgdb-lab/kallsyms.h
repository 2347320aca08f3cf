/*
 * Symbol lookup for %pS, backtraces and "idling at" messages (kernel/kallsyms.c). The
 * table (text symbols, sorted by address) is generated at link time from the image itself:
 * see the two-stage link in guest/Makefile and src/scripts/kallsyms.awk.
 */
#ifndef KGDB_LAB_KALLSYMS_H
#define KGDB_LAB_KALLSYMS_H
#include <kgdb-lab/types.h>

#define KSYM_NAME_LEN 64
#define KSYM_SYMBOL_LEN 128

/*
 * Find the text symbol containing addr. Its size is the distance to the next symbol, as
 * Linux computes it. Returns the name (NULL if addr is outside the kernel text) and fills
 * *symbolsize and *offset.
 */
const char *kallsyms_lookup(unsigned long addr, unsigned long *symbolsize, unsigned long *offset);
/* "name+0xoff/0xsize" (or "0x<addr>" when unknown) into buf (KSYM_SYMBOL_LEN); returns the length. */
int sprint_symbol(char *buf, unsigned long addr);
/* "name" alone (or "0x<addr>"), as %ps prints. */
int sprint_symbol_no_offset(char *buf, unsigned long addr);
/* Address of a text symbol by name, or 0. */
unsigned long kallsyms_lookup_name(const char *name);

#endif
