/*
 * EL1 vector table for the GIC tests (ARM ARM D1.10.2: 16 entries of 0x80 bytes, 2 KiB
 * aligned). The runtime's table (lib/vectors.S) hands FIQs to its "unexpected exception"
 * report; here the four FIQ entries (+0x100, +0x300, +0x500, +0x700) save the same
 * struct rt_frame (rt.h) and call gic_fiq_dispatch(frame, vector), and every other entry
 * branches to the runtime's entry at the same offset.
 */
#define FRAME_SIZE 288
#define F_ELR (32 * 8)
#define F_ESR (34 * 8)

	.macro	runtime_entry off
	.balign	0x80
	b	rt_vectors + \off
	.endm

	.macro	fiq_entry num
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	mov	x0, #\num
	b	fiq_save_rest
	.endm

	.text
	.balign	0x800
	.global	gic_vectors
gic_vectors:
	runtime_entry 0x000
	runtime_entry 0x080
	fiq_entry 2
	runtime_entry 0x180
	runtime_entry 0x200
	runtime_entry 0x280
	fiq_entry 6
	runtime_entry 0x380
	runtime_entry 0x400
	runtime_entry 0x480
	fiq_entry 10
	runtime_entry 0x580
	runtime_entry 0x600
	runtime_entry 0x680
	fiq_entry 14
	runtime_entry 0x780

	.balign	0x80
fiq_save_rest:
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #F_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #F_ESR]
	mov	x1, x0
	mov	x0, sp
	bl	gic_fiq_dispatch
	ldp	x1, x2, [sp, #F_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret
