/* CPU mask operations (lib/cpumask.c, lib/bitmap.c's range-list printing). */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/kernel.h>

#define NR_WORDS (NR_CPUS / BITS_PER_LONG)

struct cpumask __cpu_online_mask;
static atomic_t online_count;

void cpumask_clear(struct cpumask *m)
{
	for (unsigned int i = 0; i < NR_WORDS; i++)
		WRITE_ONCE(m->bits[i], 0UL);
}

void cpumask_copy(struct cpumask *dst, const struct cpumask *src)
{
	for (unsigned int i = 0; i < NR_WORDS; i++)
		dst->bits[i] = READ_ONCE(src->bits[i]);
}

bool cpumask_empty(const struct cpumask *m)
{
	for (unsigned int i = 0; i < NR_WORDS; i++)
		if (READ_ONCE(m->bits[i]))
			return false;
	return true;
}

unsigned int cpumask_weight(const struct cpumask *m)
{
	/* Bit by bit: __builtin_popcountl would need libgcc (-mgeneral-regs-only has no CNT). */
	unsigned int n = 0;
	for (unsigned int i = 0; i < NR_WORDS; i++)
		for (unsigned long w = READ_ONCE(m->bits[i]); w; w &= w - 1)
			n++;
	return n;
}

void cpumask_andnot(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < NR_WORDS; i++)
		dst->bits[i] = READ_ONCE(a->bits[i]) & ~READ_ONCE(b->bits[i]);
}

bool cpumask_equal(const struct cpumask *a, const struct cpumask *b)
{
	for (unsigned int i = 0; i < NR_WORDS; i++)
		if (READ_ONCE(a->bits[i]) != READ_ONCE(b->bits[i]))
			return false;
	return true;
}

unsigned int cpumask_next(int n, const struct cpumask *m)
{
	for (unsigned int cpu = (unsigned int)(n + 1); cpu < nr_cpu_ids; cpu++) {
		unsigned long word = READ_ONCE(m->bits[BIT_WORD(cpu)]) >> (cpu % BITS_PER_LONG);
		if (word == 0) {
			/* Skip the rest of an empty word at once. */
			cpu = (cpu | (BITS_PER_LONG - 1));
			continue;
		}
		cpu += (unsigned int)__builtin_ctzl(word);
		return cpu < nr_cpu_ids ? cpu : nr_cpu_ids;
	}
	return nr_cpu_ids;
}

int cpumask_print_list(char *buf, size_t size, const struct cpumask *m)
{
	int len = 0;
	unsigned int cpu = cpumask_next(-1, m);
	while (cpu < nr_cpu_ids) {
		unsigned int end = cpu;
		while (end + 1 < nr_cpu_ids && cpumask_test_cpu(end + 1, m))
			end++;
		size_t room = (size_t)len < size ? size - (size_t)len : 0;
		const char *sep = len ? "," : "";
		if (end == cpu)
			len += snprintf(buf + (size - room), room, "%s%u", sep, cpu);
		else
			len += snprintf(buf + (size - room), room, "%s%u-%u", sep, cpu, end);
		cpu = cpumask_next((int)end, m);
	}
	if (size && len == 0)
		buf[0] = '\0';
	return len;
}

void set_cpu_online(unsigned int cpu, bool online)
{
	if (online) {
		if (!test_and_set_bit(cpu, __cpu_online_mask.bits))
			atomic_inc(&online_count);
	} else if (cpumask_test_cpu(cpu, &__cpu_online_mask)) {
		clear_bit(cpu, __cpu_online_mask.bits);
		atomic_dec(&online_count);
	}
}

unsigned int num_online_cpus(void)
{
	return (unsigned int)atomic_read(&online_count);
}
