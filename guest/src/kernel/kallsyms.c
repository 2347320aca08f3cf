/*
 * Text symbol lookup (kernel/kallsyms.c) over the table that scripts/kallsyms.awk generates
 * at link time: kallsyms_addresses[] sorted ascending, names as NUL-terminated strings at
 * kallsyms_name_offsets[]. A symbol's size is the distance to the next symbol (or to
 * _etext), exactly as Linux reports "+0xoff/0xsize".
 */
#include <kgdb-lab/kallsyms.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/string.h>

extern const unsigned long kallsyms_num_syms;
extern const unsigned long kallsyms_addresses[];
extern const u32 kallsyms_name_offsets[];
extern const char kallsyms_names[];
extern char _text[], _etext[];

/* Index of the last symbol at or below addr, or -1. */
static long get_symbol_pos(unsigned long addr)
{
	long lo = 0, hi = (long)kallsyms_num_syms - 1, found = -1;
	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (kallsyms_addresses[mid] <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

const char *kallsyms_lookup(unsigned long addr, unsigned long *symbolsize, unsigned long *offset)
{
	if (addr < (unsigned long)_text || addr >= (unsigned long)_etext)
		return NULL;
	long pos = get_symbol_pos(addr);
	if (pos < 0)
		return NULL;
	unsigned long start = kallsyms_addresses[pos];
	unsigned long end = (unsigned long)pos + 1 < kallsyms_num_syms ? kallsyms_addresses[pos + 1] : (unsigned long)_etext;
	if (symbolsize)
		*symbolsize = end - start;
	if (offset)
		*offset = addr - start;
	return kallsyms_names + kallsyms_name_offsets[pos];
}

int sprint_symbol(char *buf, unsigned long addr)
{
	unsigned long size, offset;
	const char *name = kallsyms_lookup(addr, &size, &offset);
	if (!name)
		return snprintf(buf, KSYM_SYMBOL_LEN, "0x%lx", addr);
	return snprintf(buf, KSYM_SYMBOL_LEN, "%s+0x%lx/0x%lx", name, offset, size);
}

int sprint_symbol_no_offset(char *buf, unsigned long addr)
{
	const char *name = kallsyms_lookup(addr, NULL, NULL);
	if (!name)
		return snprintf(buf, KSYM_SYMBOL_LEN, "0x%lx", addr);
	return snprintf(buf, KSYM_SYMBOL_LEN, "%s", name);
}

unsigned long kallsyms_lookup_name(const char *name)
{
	for (unsigned long i = 0; i < kallsyms_num_syms; i++)
		if (strcmp(kallsyms_names + kallsyms_name_offsets[i], name) == 0)
			return kallsyms_addresses[i];
	return 0;
}
