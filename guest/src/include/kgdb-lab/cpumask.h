/*
 * CPU masks: a fixed NR_CPUS-bit bitmap (include/linux/cpumask.h), with the online mask
 * and the iterators the SMP and IPI code use.
 */
#ifndef KGDB_LAB_CPUMASK_H
#define KGDB_LAB_CPUMASK_H
#include <kgdb-lab/atomic.h>
#include <kgdb-lab/smp.h>

struct cpumask {
	unsigned long bits[NR_CPUS / BITS_PER_LONG];
};

extern struct cpumask __cpu_online_mask;
#define cpu_online_mask ((const struct cpumask *)&__cpu_online_mask)

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m) { set_bit(cpu, m->bits); }
static inline void cpumask_clear_cpu(unsigned int cpu, struct cpumask *m) { clear_bit(cpu, m->bits); }
static inline bool cpumask_test_cpu(unsigned int cpu, const struct cpumask *m) { return test_bit(cpu, m->bits); }
void cpumask_clear(struct cpumask *m);
void cpumask_copy(struct cpumask *dst, const struct cpumask *src);
bool cpumask_empty(const struct cpumask *m);
unsigned int cpumask_weight(const struct cpumask *m);
/* dst = a & ~b */
void cpumask_andnot(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
bool cpumask_equal(const struct cpumask *a, const struct cpumask *b);
/* First set bit after n (n = -1 for the first), or nr_cpu_ids when none. */
unsigned int cpumask_next(int n, const struct cpumask *m);
/*
 * Print a mask as a list of ranges ("0-3,6,8-9"), as the %*pbl format does. Returns the
 * length of the full text (like snprintf).
 */
int cpumask_print_list(char *buf, size_t size, const struct cpumask *m);

#define for_each_cpu(cpu, mask) \
	for ((cpu) = cpumask_next(-1, (mask)); (cpu) < nr_cpu_ids; (cpu) = cpumask_next((cpu), (mask)))
#define for_each_online_cpu(cpu) for_each_cpu(cpu, cpu_online_mask)

static inline bool cpu_online(unsigned int cpu) { return cpumask_test_cpu(cpu, cpu_online_mask); }
void set_cpu_online(unsigned int cpu, bool online);
unsigned int num_online_cpus(void);

#endif
