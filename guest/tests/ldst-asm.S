/*
 * Load/store forms that need labels or fixed registers: PC-relative literals (LDR/LDRSW
 * literal, ADR/ADRP), SP-based addressing, and loads to XZR.
 */
	.text
	.balign	8
lit_x:	.quad	0xfedcba9876543210
lit_w:	.word	0x89abcdef
lit_w2:	.word	0x7654321f

/* u64 literal_loads(u64 *out): out[0] = LDR X literal, out[1] = LDR W literal, out[2] = LDRSW literal, out[3] = literal 0x40 bytes after the ADR. */
	.global	literal_loads
literal_loads:
	ldr	x1, lit_x
	str	x1, [x0]
	ldr	w1, lit_w
	str	x1, [x0, #8]
	ldrsw	x1, lit_w
	str	x1, [x0, #16]
	ldrsw	x1, lit_w2
	str	x1, [x0, #24]
	ldr	x1, =0x1122334455667788	// literal pool entry
	str	x1, [x0, #32]
	adr	x1, lit_x
	adr	x2, literal_loads
	sub	x1, x2, x1		// distance: known at link time
	str	x1, [x0, #40]
	adrp	x1, literal_loads
	and	x2, x2, #~0xfff
	sub	x1, x1, x2		// ADRP gives the 4 KiB page
	str	x1, [x0, #48]
	ret
	.ltorg

/* u64 sp_forms(void): stores and loads through SP with offsets and writeback; returns a hash-ish sum. */
	.global	sp_forms
sp_forms:
	mov	x9, sp
	sub	sp, sp, #64
	mov	x1, #0x1111
	mov	x2, #0x2222
	stp	x1, x2, [sp]
	str	x1, [sp, #16]!		// SP-based pre-index writeback
	ldr	x3, [sp], #-16		// post-index back
	ldp	x4, x5, [sp]
	strb	w2, [sp, #40]
	ldrb	w6, [sp, #40]
	strh	w1, [sp, #42]
	ldrh	w7, [sp, #42]
	mov	x8, sp
	sub	x8, x9, x8		// must be 64
	add	sp, sp, #64
	add	x0, x3, x4
	add	x0, x0, x5, lsl #4
	add	x0, x0, x6, lsl #20
	add	x0, x0, x7, lsl #32
	add	x0, x0, x8, lsl #48
	ret

/* u64 load_to_zr(u64 *p): loads into XZR/WZR must not change anything; returns x0 + 1 via x1. */
	.global	load_to_zr
load_to_zr:
	mov	x1, x0
	ldr	xzr, [x1]
	ldr	wzr, [x1, #8]
	ldp	xzr, x2, [x1]
	ldrb	wzr, [x1, #1]
	add	x0, x2, xzr
	ret
