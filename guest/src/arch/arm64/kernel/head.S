/*
 * Kernel entry points.
 *
 * The boot CPU enters at _start at EL1h with the MMU off and DAIF masked (QEMU -kernel with
 * an ELF image, or kgdb-lab). x0 may hold the DTB address (the Linux arm64 boot protocol);
 * a bare-metal ELF on QEMU gets 0, and the DTB is then at the start of RAM. Secondary CPUs
 * are powered off until PSCI CPU_ON starts them at secondary_entry with x0 = their logical
 * CPU number (the CPU_ON context ID).
 *
 * Each CPU: turns on alignment checking, takes its boot stack (one THREAD_SIZE slot per
 * logical CPU), keeps its logical number in TPIDR_EL1 (smp_processor_id()), installs the
 * vectors, and calls into C with a zero frame pointer and link register, so that every
 * frame-record chain ends cleanly here (as Linux's __primary_switched and
 * __secondary_switched do). The CFI marks the return address as undefined: gdb stops its
 * backtraces at these functions without complaining.
 */

#define THREAD_SIZE 0x4000	/* per-CPU boot stack, bytes; kgdb-lab/sched.h */
#define NR_CPUS 256		/* kgdb-lab/smp.h */

	.cfi_sections .debug_frame

/*
 * SCTLR_EL1.A = 1: every unaligned data access faults. With the MMU off all accesses are
 * Device memory and must be aligned; QEMU 7.2 only enforces that for exclusives unless A is
 * set, kgdb-lab always does, so setting A makes both machines fault at the same places.
 */
	.macro	enable_alignment_check, tmp
	mrs	\tmp, sctlr_el1
	orr	\tmp, \tmp, #(1 << 1)
	msr	sctlr_el1, \tmp
	isb
	.endm

	.macro	set_vectors, tmp
	adrp	\tmp, vectors
	add	\tmp, \tmp, :lo12:vectors
	msr	vbar_el1, \tmp
	isb
	.endm

	.section .head.text, "ax"
	.global	_start
	.type	_start, %function
_start:
	.cfi_startproc
	.cfi_undefined x30
	mov	x19, x0				// DTB pointer from the boot loader, if any
	enable_alignment_check x1
	adrp	x1, init_stacks
	add	x1, x1, :lo12:init_stacks
	mov	x2, #THREAD_SIZE
	add	sp, x1, x2			// CPU 0 uses the first stack slot
	msr	tpidr_el1, xzr			// logical CPU 0
	set_vectors x1
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_stop
	add	x2, x2, :lo12:__bss_stop
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	mov	x29, xzr			// the final frame record
	mov	x30, xzr
	bl	start_kernel
3:	wfi					// start_kernel does not return
	b	3b
	.cfi_endproc
	.size	_start, . - _start

	.text
	.global	secondary_entry
	.type	secondary_entry, %function
secondary_entry:
	.cfi_startproc
	.cfi_undefined x30
	cmp	x0, #NR_CPUS
	b.hs	2f
	mov	x19, x0				// logical CPU number
	enable_alignment_check x1
	adrp	x1, init_stacks
	add	x1, x1, :lo12:init_stacks
	add	x2, x19, #1
	mov	x3, #THREAD_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	msr	tpidr_el1, x19
	set_vectors x1
	mov	x0, x19
	mov	x29, xzr
	mov	x30, xzr
	bl	secondary_start_kernel
2:	wfi					// no stack for this CPU, or returned: park
	b	2b
	.cfi_endproc
	.size	secondary_entry, . - secondary_entry

	.section .bss.stacks, "aw", %nobits
	.balign	4096
	.global	init_stacks
init_stacks:
	.skip	NR_CPUS * THREAD_SIZE
	.size	init_stacks, . - init_stacks
