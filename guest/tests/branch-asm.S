/*
 * Branch instructions that need fixed encodings: TBZ/TBNZ on every bit number, CBZ/CBNZ
 * on W and X views, BR/BLR/RET through registers other than x30, and B/BL/TBZ/B.cond at
 * long distances (ARM ARM C4.1.3, "Branches, exception generating and system").
 */
	.text

/* u64 tbnz_mask(u64 v): bit i of the result is 1 iff `tbnz x0, #i` branched. */
	.global	tbnz_mask
tbnz_mask:
	mov	x1, xzr
	.irp	bit, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	tbnz	x0, #\bit, 1f
	b	2f
1:	mov	x2, #1
	lsl	x2, x2, #\bit
	orr	x1, x1, x2
2:
	.endr
	mov	x0, x1
	ret

/* u64 tbz_mask(u64 v): bit i of the result is 1 iff `tbz` on bit i branched (W form below 32). */
	.global	tbz_mask
tbz_mask:
	mov	x1, xzr
	.irp	bit, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	tbz	w0, #\bit, 1f
	b	2f
1:	mov	x2, #1
	lsl	x2, x2, #\bit
	orr	x1, x1, x2
2:
	.endr
	.irp	bit, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	tbz	x0, #\bit, 1f
	b	2f
1:	mov	x2, #1
	lsl	x2, x2, #\bit
	orr	x1, x1, x2
2:
	.endr
	mov	x0, x1
	ret

/* u64 cb_bits(u64 v): bit0 cbz x, bit1 cbnz x, bit2 cbz w, bit3 cbnz w taken. */
	.global	cb_bits
cb_bits:
	mov	x1, xzr
	cbz	x0, 1f
	b	2f
1:	orr	x1, x1, #1
2:	cbnz	x0, 1f
	b	2f
1:	orr	x1, x1, #2
2:	cbz	w0, 1f
	b	2f
1:	orr	x1, x1, #4
2:	cbnz	w0, 1f
	b	2f
1:	orr	x1, x1, #8
2:	mov	x0, x1
	ret

/* u64 call_via_blr(u64 (*fn)(u64), u64 arg): BLR through x9; also checks LR = return site. */
	.global	call_via_blr
call_via_blr:
	stp	x29, x30, [sp, #-32]!
	mov	x29, sp
	mov	x9, x0
	mov	x0, x1
	adr	x10, 1f
	str	x10, [sp, #16]
	blr	x9
1:	ldr	x10, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret

/* u64 lr_probe(void): returns the LR it was called with (the BL/BLR return address). */
	.global	lr_probe
lr_probe:
	mov	x0, x30
	ret

/* u64 lr_check(void): returns 1 if BL set x30 to the address after the BL. */
	.global	lr_check
lr_check:
	mov	x11, x30
	adr	x12, 1f
	bl	lr_probe
1:	cmp	x0, x12
	cset	x0, eq
	mov	x30, x11
	ret

/* u64 ret_via_x7(u64 v): returns v + 1 using `ret x7`, after calling a helper via BR. */
	.global	ret_via_x7
ret_via_x7:
	mov	x7, x30
	adr	x8, 1f
	br	x8
	udf	#0			// skipped by the BR
1:	add	x0, x0, #1
	ret	x7

/* u64 far_branches(u64 v): B/BL/TBZ/CBZ/B.cond across large distances; returns a bit set. */
	.global	far_branches
far_branches:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	mov	x1, xzr
	b	far_fwd			// ~256 KiB forward
back_here:
	bl	far_func		// BL forward ~256 KiB; sets bit 1
	tbz	x0, #63, near_skip	// TBZ forward up to 32 KiB
	orr	x1, x1, #0x80		// v has bit 63 set
near_skip:
	cmp	x0, #0
	b.ne	cond_far		// B.cond forward ~24 KiB (imm19 allows +-1 MiB)
	orr	x1, x1, #0x100		// v == 0
cond_back:
	cbz	x0, 1f
	orr	x1, x1, #0x200
1:	mov	x0, x1
	ldp	x29, x30, [sp], #16
	ret

	.skip	24 * 1024, 0
cond_far:
	orr	x1, x1, #4
	b	cond_back

	.skip	230 * 1024, 0
far_fwd:
	orr	x1, x1, #1
	b	back_here		// ~256 KiB backward
far_func:
	orr	x1, x1, #2
	ret
