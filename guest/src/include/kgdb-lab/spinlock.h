/*
 * Spinlocks (include/linux/spinlock.h): the arch ticket lock plus the out-of-line
 * _raw_spin_* functions (kernel/locking/spinlock.c), so that a CPU stuck on a lock shows
 * _raw_spin_lock_irqsave in its backtrace, as on Linux.
 */
#ifndef KGDB_LAB_SPINLOCK_H
#define KGDB_LAB_SPINLOCK_H
#include <asm/spinlock.h>

typedef struct {
	arch_spinlock_t raw_lock;
} raw_spinlock_t;
typedef raw_spinlock_t spinlock_t;

#define __SPIN_LOCK_UNLOCKED { __ARCH_SPIN_LOCK_UNLOCKED }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED

void _raw_spin_lock(raw_spinlock_t *lock);
void _raw_spin_unlock(raw_spinlock_t *lock);
/* Disable interrupts (PMR or DAIF, see asm/irqflags.h), then take the lock; returns the old state. */
unsigned long _raw_spin_lock_irqsave(raw_spinlock_t *lock);
void _raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags);

#define spin_lock(lock) _raw_spin_lock(lock)
#define spin_unlock(lock) _raw_spin_unlock(lock)
#define spin_lock_irqsave(lock, flags) ((flags) = _raw_spin_lock_irqsave(lock))
#define spin_unlock_irqrestore(lock, flags) _raw_spin_unlock_irqrestore(lock, flags)

#endif
