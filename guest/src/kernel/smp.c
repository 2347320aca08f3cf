/*
 * Asynchronous cross-CPU calls (kernel/smp.c): each CPU has a lock-free list of queued
 * call_single_data; the sender pushes and, if the list was empty, sends IPI_CALL_FUNC; the
 * target runs everything queued from its IPI handler.
 */
#include <kgdb-lab/cpumask.h>
#include <kgdb-lab/kernel.h>
#include <kgdb-lab/smp.h>
#include <asm/smp.h>

static call_single_data_t *call_single_queue[NR_CPUS];

int smp_call_function_single_async(int cpu, call_single_data_t *csd)
{
	if ((unsigned int)cpu >= nr_cpu_ids || !cpu_online((unsigned int)cpu))
		return -ENODEV;
	unsigned int old = __atomic_fetch_or(&csd->flags, CSD_FLAG_LOCK, __ATOMIC_ACQUIRE);
	if (old & CSD_FLAG_LOCK)
		return -EBUSY;

	call_single_data_t *head = __atomic_load_n(&call_single_queue[cpu], __ATOMIC_RELAXED);
	do {
		csd->next = head;
	} while (!__atomic_compare_exchange_n(&call_single_queue[cpu], &head, csd, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	/* Only the first entry of an empty list needs an IPI; the handler drains the rest. */
	if (head == NULL)
		arch_send_call_function_single_ipi(cpu);
	return 0;
}

void generic_smp_call_function_single_interrupt(void)
{
	unsigned int cpu = smp_processor_id();
	call_single_data_t *list = __atomic_exchange_n(&call_single_queue[cpu], NULL, __ATOMIC_ACQUIRE);

	/* The list is newest first: reverse it so calls run in the order they were queued. */
	call_single_data_t *ordered = NULL;
	while (list) {
		call_single_data_t *next = list->next;
		list->next = ordered;
		ordered = list;
		list = next;
	}
	while (ordered) {
		call_single_data_t *csd = ordered;
		ordered = csd->next;
		smp_call_func_t func = csd->func;
		void *info = csd->info;
		/* Release the csd before the call, as Linux does for async calls. */
		__atomic_fetch_and(&csd->flags, ~CSD_FLAG_LOCK, __ATOMIC_RELEASE);
		func(info);
	}
}
