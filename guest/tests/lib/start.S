/*
 * Entry code for the guest test programs.
 *
 * CPU 0 enters at _start at EL1h with DAIF masked and the MMU off (QEMU -kernel with an
 * ELF image; hw/arm/boot.c). The other CPUs stay powered off until PSCI CPU_ON starts
 * them at rt_secondary_entry. Every CPU gets its own RT_STACK_SIZE stack, chosen by its
 * CPU index (Aff0 + 16 * Aff1, the numbering QEMU virt uses with GICv3).
 */
#define RT_MAX_CPUS 256
#define RT_STACK_SIZE 0x4000

	.section .text.boot, "ax"
	.global _start
_start:
	/* Only CPU 0 is started by the loader; any other CPU arriving here parks. */
	bl	cpu_index_x0
	cbnz	x0, park
	bl	set_stack_and_vbar
	/* Zero .bss (the ELF loader does too; this keeps us independent of it). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	rt_main
park:
	wfi
	b	park

/* PSCI CPU_ON entry for secondaries; x0 = context ID passed to CPU_ON. */
	.global rt_secondary_entry
rt_secondary_entry:
	mov	x19, x0
	bl	cpu_index_x0
	mov	x20, x0
	bl	set_stack_and_vbar
	mov	x0, x20
	mov	x1, x19
	bl	rt_secondary_main
	b	park

/* x0 = CPU index from MPIDR_EL1 (Aff0 + 16 * Aff1). Clobbers x1. */
cpu_index_x0:
	mrs	x1, mpidr_el1
	and	x0, x1, #0xff
	ubfx	x1, x1, #8, #8
	add	x0, x0, x1, lsl #4
	ret

/* SP = top of stack slot x0; VBAR_EL1 = rt_vectors. Clobbers x1, x2. */
set_stack_and_vbar:
	cmp	x0, #RT_MAX_CPUS
	b.hs	park
	adrp	x1, __stacks_start
	add	x1, x1, :lo12:__stacks_start
	add	x2, x0, #1
	mov	x0, #RT_STACK_SIZE
	madd	x1, x2, x0, x1
	mov	sp, x1
	adrp	x1, rt_vectors
	add	x1, x1, :lo12:rt_vectors
	msr	vbar_el1, x1
	isb
	ret
