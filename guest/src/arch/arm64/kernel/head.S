/*
 * Kernel entry points.
 *
 * The boot CPU enters at _start at EL1h with the MMU off and DAIF masked (QEMU -kernel with
 * an ELF image, or kgdb-lab). x0 may hold the DTB address (the Linux arm64 boot protocol);
 * a bare-metal ELF on QEMU gets 0, and the DTB is then at the start of RAM. Secondary CPUs
 * are powered off until PSCI CPU_ON starts them at secondary_entry with x0 = their logical
 * CPU number (the CPU_ON context ID).
 */
#define THREAD_SIZE 0x4000	/* per-CPU boot stack, bytes */
#define NR_CPUS 256

	.section .head.text, "ax"
	.global	_start
_start:
	mov	x19, x0				// DTB pointer from the boot loader, if any
	adrp	x1, init_stacks
	add	x1, x1, :lo12:init_stacks
	mov	x2, #THREAD_SIZE
	add	sp, x1, x2			// CPU 0 uses the first stack slot
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_stop
	add	x2, x2, :lo12:__bss_stop
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	start_kernel
3:	wfi					// start_kernel does not return
	b	3b

	.text
	.global	secondary_entry
secondary_entry:
	cmp	x0, #NR_CPUS
	b.hs	3b
	mov	x19, x0				// logical CPU number
	adrp	x1, init_stacks
	add	x1, x1, :lo12:init_stacks
	add	x2, x0, #1
	mov	x3, #THREAD_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	mov	x0, x19
	bl	secondary_start_kernel
4:	wfi
	b	4b

	.section .bss.stacks, "aw", %nobits
	.balign	4096
	.global	init_stacks
init_stacks:
	.skip	NR_CPUS * THREAD_SIZE
