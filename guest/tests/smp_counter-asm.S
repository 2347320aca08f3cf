/*
 * Shared-counter primitives for smp_counter.c: LL/SC increment, a test-and-set spin lock
 * whose waiters sleep in WFE (Linux arm64 style: SEVL; WFE; LDAXR; CBNZ; ... with the
 * unlock a plain STLR and no SEV: the store clears the waiters' exclusive monitors, which
 * is the wake-up event, ARM ARM D1.16.1), and with USE_LSE the Armv8.1 equivalents.
 */
	.text

/* void llsc_inc(u64 *p): *p += 1 with LDAXR/STLXR. */
	.global	llsc_inc
llsc_inc:
1:	ldaxr	x1, [x0]
	add	x1, x1, #1
	stlxr	w2, x1, [x0]
	cbnz	w2, 1b
	ret

/* void tas_lock(u32 *l) / tas_unlock(u32 *l) */
	.global	tas_lock
tas_lock:
	mov	w2, #1
	sevl
1:	wfe
2:	ldaxr	w1, [x0]
	cbnz	w1, 1b
	stxr	w1, w2, [x0]
	cbnz	w1, 2b
	ret

	.global	tas_unlock
tas_unlock:
	stlr	wzr, [x0]
	ret

/* void wait_for_flag(u32 *f): sleep in WFE until *f != 0 (set by a plain STLR elsewhere). */
	.global	wait_for_flag
wait_for_flag:
	sevl
1:	wfe
	ldaxr	w1, [x0]
	cbz	w1, 1b
	ret

/* void wait_for_count(u64 *c, u64 n): sleep in WFE until *c >= n. */
	.global	wait_for_count
wait_for_count:
	sevl
1:	wfe
	ldaxr	x2, [x0]
	cmp	x2, x1
	b.lo	1b
	ret

#ifdef USE_LSE
/* void lse_inc(u64 *p): *p += 1 with LDADDAL. */
	.global	lse_inc
lse_inc:
	mov	x1, #1
	ldaddal	x1, x2, [x0]
	ret

/* void cas_inc(u64 *p): *p += 1 with a CASAL retry loop. */
	.global	cas_inc
cas_inc:
1:	ldr	x1, [x0]
	add	x2, x1, #1
	mov	x3, x1
	casal	x3, x2, [x0]
	cmp	x3, x1
	b.ne	1b
	ret

/* void swp_lock(u32 *l): test-and-set with SWPA, waiting in WFE. */
	.global	swp_lock
swp_lock:
	mov	w2, #1
	sevl
1:	wfe
	ldaxr	w1, [x0]
	cbnz	w1, 1b
	swpa	w2, w1, [x0]
	cbnz	w1, 1b
	ret
#endif
