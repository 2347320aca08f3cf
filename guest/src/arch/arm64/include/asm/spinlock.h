/*
 * Ticket spinlock in the style of Linux arm64 before qspinlock (v4.x
 * arch/arm64/include/asm/spinlock.h): owner in bits [15:0], next in [31:16]. Waiters sleep
 * in WFE after LDAXRH arms the exclusive monitor; unlock is a plain STLRH that clears the
 * waiters' monitors, which wakes them without SEV.
 */
#ifndef ASM_SPINLOCK_H
#define ASM_SPINLOCK_H
#include <kgdb-lab/kernel.h>

typedef struct {
	union {
		u32 val;
		struct {
			u16 owner; /* little-endian: the low half of val */
			u16 next;
		};
	};
} arch_spinlock_t;

#define __ARCH_SPIN_LOCK_UNLOCKED { { 0 } }

static inline void arch_spin_lock(arch_spinlock_t *lock)
{
	u32 tmp, newval, lockval;
	__asm__ volatile(
		"1:	ldaxr	%w0, %3\n"
		"	add	%w1, %w0, %w5\n"
		"	stxr	%w2, %w1, %3\n"
		"	cbnz	%w2, 1b\n"
		"	eor	%w1, %w0, %w0, ror #16\n"
		"	cbz	%w1, 3f\n"
		"	sevl\n"
		"2:	wfe\n"
		"	ldaxrh	%w2, %4\n"
		"	eor	%w1, %w2, %w0, lsr #16\n"
		"	cbnz	%w1, 2b\n"
		"3:"
		: "=&r"(lockval), "=&r"(newval), "=&r"(tmp), "+Q"(lock->val)
		: "Q"(lock->owner), "r"(1u << 16)
		: "memory");
}

static inline void arch_spin_unlock(arch_spinlock_t *lock)
{
	u16 owner = READ_ONCE(lock->owner);
	__asm__ volatile("stlrh %w1, %0" : "=Q"(lock->owner) : "r"((u16)(owner + 1)) : "memory");
}

#endif
