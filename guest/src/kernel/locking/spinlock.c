/* Out-of-line spinlock operations (kernel/locking/spinlock.c). */
#include <kgdb-lab/spinlock.h>
#include <asm/irqflags.h>

noinline void _raw_spin_lock(raw_spinlock_t *lock)
{
	arch_spin_lock(&lock->raw_lock);
}

noinline void _raw_spin_unlock(raw_spinlock_t *lock)
{
	arch_spin_unlock(&lock->raw_lock);
}

noinline unsigned long _raw_spin_lock_irqsave(raw_spinlock_t *lock)
{
	unsigned long flags;
	local_irq_save(flags);
	arch_spin_lock(&lock->raw_lock);
	return flags;
}

noinline void _raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags)
{
	arch_spin_unlock(&lock->raw_lock);
	local_irq_restore(flags);
}
