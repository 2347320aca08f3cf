/*
 * Ticket spin lock in the style of Linux arm64's pre-qspinlock arch_spin_lock
 * (arch/arm64/include/asm/spinlock.h, v4.x): one 32-bit word, owner in bits [15:0],
 * next ticket in bits [31:16]. Waiters sleep in WFE after loading the owner with LDAXRH,
 * which arms the exclusive monitor; the unlocking STLRH to that granule clears the
 * monitor, which generates the wake-up event, so unlock needs no SEV.
 */
	.text
	.global	rt_ticket_lock
rt_ticket_lock:
	mov	w5, #0x10000
1:	ldaxr	w1, [x0]		// w1 = old {next, owner}
	add	w2, w1, w5		// take a ticket
	stxr	w3, w2, [x0]
	cbnz	w3, 1b
	eor	w2, w1, w1, ror #16	// our ticket == owner?
	cbz	w2, 3f
	sevl				// first WFE falls through
2:	wfe
	ldaxrh	w3, [x0]		// owner, arming the monitor
	eor	w2, w3, w1, lsr #16
	cbnz	w2, 2b
3:	ret

	.global	rt_ticket_unlock
rt_ticket_unlock:
	ldrh	w1, [x0]
	add	w1, w1, #1
	stlrh	w1, [x0]
	ret
