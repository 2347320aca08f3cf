/*
 * EL1 exception vectors (ARM ARM D1.10.2; layout as Linux arch/arm64/kernel/entry.S):
 * 16 entries of 0x80 bytes. Each saves a struct pt_regs (asm/ptrace.h) and calls
 * el1_exception(regs, vector) in traps.c; if that returns, the frame is restored and
 * ERET resumes the interrupted code.
 */
#define S_FRAME_SIZE 288
#define S_SP (31 * 8)
#define S_PC (32 * 8)
#define S_PSTATE (33 * 8)
#define S_ESR (34 * 8)
#define S_FAR (35 * 8)

	.macro	kernel_ventry num
	.balign	0x80
	sub	sp, sp, #S_FRAME_SIZE
	stp	x0, x1, [sp, #16 * 0]
	mov	x0, #\num
	b	el1_save_and_dispatch
	.endm

	.text
	.balign	0x800
	.global	vectors
vectors:
	kernel_ventry 0
	kernel_ventry 1
	kernel_ventry 2
	kernel_ventry 3
	kernel_ventry 4
	kernel_ventry 5
	kernel_ventry 6
	kernel_ventry 7
	kernel_ventry 8
	kernel_ventry 9
	kernel_ventry 10
	kernel_ventry 11
	kernel_ventry 12
	kernel_ventry 13
	kernel_ventry 14
	kernel_ventry 15

	.balign	0x80
el1_save_and_dispatch:
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	add	x1, sp, #S_FRAME_SIZE
	stp	x30, x1, [sp, #16 * 15]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #S_PC]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #S_ESR]
	mov	x1, x0
	mov	x0, sp
	bl	el1_exception
	ldp	x2, x3, [sp, #S_PC]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	ldr	x30, [sp, #16 * 15]
	add	sp, sp, #S_FRAME_SIZE
	eret
