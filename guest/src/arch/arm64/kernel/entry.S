/*
 * Exception vectors and the EL1 entry/exit paths, after Linux v6.3
 * arch/arm64/kernel/entry.S.
 *
 * Each vector (ARM ARM D1.10.2: 16 entries of 0x80 bytes at VBAR_EL1) makes room for a
 * struct pt_regs (asm/ptrace.h) and branches to its handler, which:
 *   - saves x0-x30, the interrupted SP, ELR_EL1 and SPSR_EL1 (kernel_entry);
 *   - builds a frame record {interrupted x29, ELR} in pt_regs->stackframe and points x29 at
 *     it, so frame-pointer backtraces continue into the interrupted code;
 *   - with pseudo-NMI, saves ICC_PMR_EL1 in pt_regs->pmr_save and opens PMR to
 *     GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET: PSTATE.I (set by the exception) now masks;
 *   - calls el1h_64_<kind>_handler(regs) (entry-common.c);
 *   - returns (kernel_exit): masks DAIF, restores PMR, ELR, SPSR and the registers, ERET.
 *
 * CFI: each handler is described to debuggers as a signal frame whose caller is the
 * interrupted context: CFA = the interrupted SP, the registers at their pt_regs slots, and
 * the return address column is the PC (DWARF register 32) saved at pt_regs->pc. gdb thus
 * unwinds from an interrupt or exception handler into the code it interrupted.
 */
#include <asm/ptrace.h>

	.cfi_sections .debug_frame

/* DWARF register number of the PC (AADWARF64). */
#define DWARF_PC 32

	.macro	kernel_ventry, label:req
	.balign	0x80
	sub	sp, sp, #PT_REGS_SIZE
	b	\label
	.endm

/* Branch to \skip unless the kernel masks IRQs with ICC_PMR_EL1 (asm/cpufeature.h). Clobbers x20. */
	.macro	skip_unless_prio_masking, skip:req
	adrp	x20, arm64_irq_prio_masking
	ldrb	w20, [x20, :lo12:arm64_irq_prio_masking]
	cbz	w20, \skip
	.endm

	.macro	save_pair, a:req, b:req, off:req
	stp	x\a, x\b, [sp, #\off]
	.cfi_rel_offset x\a, \off
	.cfi_rel_offset x\b, \off + 8
	.endm

	.macro	kernel_entry
	/*
	 * ELR and SPSR first: until the interrupted PC is in memory, a debugger stopped here
	 * cannot unwind (it does not know ELR_EL1); after these three instructions it can, the
	 * registers not yet saved still holding their interrupted values.
	 */
	save_pair 0, 1, 16 * 0
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x0, x1, [sp, #S_PC]
	.cfi_rel_offset DWARF_PC, S_PC
	save_pair 2, 3, 16 * 1
	save_pair 4, 5, 16 * 2
	save_pair 6, 7, 16 * 3
	save_pair 8, 9, 16 * 4
	save_pair 10, 11, 16 * 5
	save_pair 12, 13, 16 * 6
	save_pair 14, 15, 16 * 7
	save_pair 16, 17, 16 * 8
	save_pair 18, 19, 16 * 9
	save_pair 20, 21, 16 * 10
	save_pair 22, 23, 16 * 11
	save_pair 24, 25, 16 * 12
	save_pair 26, 27, 16 * 13
	save_pair 28, 29, 16 * 14

	add	x21, sp, #PT_REGS_SIZE		// the interrupted SP
	stp	lr, x21, [sp, #S_LR]
	.cfi_rel_offset x30, S_LR

	/*
	 * A synthetic frame record so the interrupted code shows up in frame-pointer
	 * backtraces (EL1 exceptions only; this kernel never runs at EL0).
	 */
	ldr	x22, [sp, #S_PC]
	stp	x29, x22, [sp, #S_STACKFRAME]
	add	x29, sp, #S_STACKFRAME

	mov	w21, #NO_SYSCALL
	str	w21, [sp, #S_SYSCALLNO]

	skip_unless_prio_masking .Lskip_pmr_save\@
	mrs	x20, icc_pmr_el1
	str	x20, [sp, #S_PMR_SAVE]
	mov	x20, #(GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET)
	msr	icc_pmr_el1, x20
.Lskip_pmr_save\@:
	.endm

	.macro	kernel_exit
	msr	daifset, #0xf			// disable_daif
	skip_unless_prio_masking .Lskip_pmr_restore\@
	ldr	x20, [sp, #S_PMR_SAVE]
	msr	icc_pmr_el1, x20
	/* Relaxed PMR synchronisation: no DSB needed for the GIC to see the new mask. */
.Lskip_pmr_restore\@:
	ldp	x21, x22, [sp, #S_PC]		// ELR, SPSR
	msr	elr_el1, x21
	msr	spsr_el1, x22
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
	ldr	lr, [sp, #S_LR]
	add	sp, sp, #PT_REGS_SIZE
	eret
	.endm

/* One handler: el<el><ht>_<regsize>_<label>, calling the C function of the same name + _handler. */
	.macro	entry_handler, el:req, ht:req, regsize:req, label:req
	.type	el\el\ht\()_\regsize\()_\label, %function
el\el\ht\()_\regsize\()_\label:
	.cfi_startproc simple
	.cfi_signal_frame
	.cfi_return_column DWARF_PC
	.cfi_def_cfa sp, PT_REGS_SIZE
	kernel_entry
	mov	x0, sp
	bl	el\el\ht\()_\regsize\()_\label\()_handler
	kernel_exit
	.cfi_endproc
	.size	el\el\ht\()_\regsize\()_\label, . - el\el\ht\()_\regsize\()_\label
	.endm

	.section .entry.text, "ax"

	.balign	0x800
	.global	vectors
	.type	vectors, %function
vectors:
	kernel_ventry	el1t_64_sync		// Synchronous EL1t
	kernel_ventry	el1t_64_irq		// IRQ EL1t
	kernel_ventry	el1t_64_fiq		// FIQ EL1t
	kernel_ventry	el1t_64_error		// Error EL1t

	kernel_ventry	el1h_64_sync		// Synchronous EL1h
	kernel_ventry	el1h_64_irq		// IRQ EL1h
	kernel_ventry	el1h_64_fiq		// FIQ EL1h
	kernel_ventry	el1h_64_error		// Error EL1h

	kernel_ventry	el0t_64_sync		// Synchronous 64-bit EL0
	kernel_ventry	el0t_64_irq		// IRQ 64-bit EL0
	kernel_ventry	el0t_64_fiq		// FIQ 64-bit EL0
	kernel_ventry	el0t_64_error		// Error 64-bit EL0

	kernel_ventry	el0t_32_sync		// Synchronous 32-bit EL0
	kernel_ventry	el0t_32_irq		// IRQ 32-bit EL0
	kernel_ventry	el0t_32_fiq		// FIQ 32-bit EL0
	kernel_ventry	el0t_32_error		// Error 32-bit EL0
	.balign	0x80
	.size	vectors, . - vectors

	entry_handler	1, t, 64, sync
	entry_handler	1, t, 64, irq
	entry_handler	1, t, 64, fiq
	entry_handler	1, t, 64, error

	entry_handler	1, h, 64, sync
	entry_handler	1, h, 64, irq
	entry_handler	1, h, 64, fiq
	entry_handler	1, h, 64, error

	/* This kernel never runs anything at EL0: these only report and panic. */
	entry_handler	0, t, 64, sync
	entry_handler	0, t, 64, irq
	entry_handler	0, t, 64, fiq
	entry_handler	0, t, 64, error

	entry_handler	0, t, 32, sync
	entry_handler	0, t, 32, irq
	entry_handler	0, t, 32, fiq
	entry_handler	0, t, 32, error
