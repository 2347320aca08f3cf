/*
 * Exception-generating helpers for exceptions.c. Each helper exports a `site_*` label on
 * the instruction expected to trap, so the C side can print ELR_EL1 relative to it.
 * Access helpers take an address in x0, preload the destination with the sentinel
 * 0x5e47 and return it in x0, so a faulting load visibly leaves its destination alone.
 */
	.text

	.macro	site name
	.global	site_\name
site_\name:
	.endm

	.macro	load_case name, insn
	.global	do_\name
do_\name:
	mov	x1, #0x5e47
	mov	x2, #0x5e47
	site	\name
	\insn
	mov	x0, x1
	ret
	.endm

	load_case ldr_x, "ldr x1, [x0]"
	load_case ldr_w, "ldr w1, [x0]"
	load_case ldrh, "ldrh w1, [x0]"
	load_case ldrsh, "ldrsh x1, [x0]"
	load_case ldrsw, "ldrsw x1, [x0]"
	load_case ldur_x, "ldur x1, [x0, #-1]"
	load_case ldr_pre, "ldr x1, [x0, #8]!"
	load_case ldr_post, "ldr x1, [x0], #8"
	load_case ldr_regoff, "ldr x1, [x0, x2]"
	load_case ldp_x, "ldp x1, x2, [x0]"
	load_case ldp_w, "ldp w1, w2, [x0]"
	load_case ldpsw, "ldpsw x1, x2, [x0]"
	load_case ldxr_x, "ldxr x1, [x0]"
	load_case ldxrh, "ldxrh w1, [x0]"
	load_case ldaxp, "ldaxp x1, x2, [x0]"
	load_case ldar_w, "ldar w1, [x0]"
	load_case ldtr_x, "ldtr x1, [x0]"
	load_case str_x, "str x1, [x0]"
	load_case str_w, "str w1, [x0]"
	load_case strh, "strh w1, [x0]"
	load_case stp_x, "stp x1, x2, [x0]"
	load_case stur_w, "stur w1, [x0, #1]"
	load_case stlr_x, "stlr x1, [x0]"
	/* Store-exclusives return their status register (sentinel if it was not written). */
	.macro	excl_case name, insn
	.global	do_\name
do_\name:
	mov	x1, #0x5e47
	mov	x2, #0x5e47
	mov	x3, #0x5e47
	site	\name
	\insn
	mov	x0, x3
	ret
	.endm

	excl_case stxr_w, "stxr w3, w1, [x0]"
	excl_case stlxp, "stlxp w3, x1, x2, [x0]"
	load_case ldrb, "ldrb w1, [x0]"
	load_case strb, "strb w1, [x0]"

/* u64 svc_with(u64 nzcv, u64 daif): SVCs with chosen NZCV and DAIF; returns x0 as left by the handler. */
	.global	do_svc0
do_svc0:
	msr	nzcv, x0
	msr	daif, x1
	site	svc0
	svc	#0
	msr	daifset, #0xf
	ret
	.global	do_svc42
do_svc42:
	msr	nzcv, x0
	msr	daif, x1
	site	svc42
	svc	#0x42
	msr	daifset, #0xf
	ret
	.global	do_svcffff
do_svcffff:
	msr	nzcv, x0
	msr	daif, x1
	site	svcffff
	svc	#0xffff
	msr	daifset, #0xf
	ret

/* SVC taken from EL1t (SPSel = 0) on a private SP_EL0 stack. */
	.global	do_svc_el1t
do_svc_el1t:
	mov	x9, sp
	msr	sp_el0, x0
	msr	spsel, #0
	site	svc_el1t
	svc	#7
	mov	x0, sp			// SP_EL0 must be intact after the exception
	msr	spsel, #1
	mov	sp, x9
	ret

	.global	do_brk0
do_brk0:
	site	brk0
	brk	#0
	ret
	.global	do_brk1234
do_brk1234:
	site	brk1234
	brk	#0x1234
	ret
	.global	do_udf0
do_udf0:
	site	udf0
	udf	#0
	ret
	.global	do_udfbeef
do_udfbeef:
	site	udfbeef
	udf	#0xbeef
	ret
	.global	do_smc
do_smc:
	site	smc
	smc	#0			// no EL3: UNDEFINED at EL1
	ret
	.global	do_hlt
do_hlt:
	site	hlt
	hlt	#0			// halting debug disabled: UNDEFINED
	ret
	.global	do_msr_midr
do_msr_midr:
	site	msr_midr
	.inst	0xd5180000		// msr midr_el1, x0 (read-only register)
	ret
	.global	do_mrs_unalloc
do_mrs_unalloc:
	site	mrs_unalloc
	mrs	x0, s3_0_c2_c7_7	// unallocated system register
	ret
	.global	do_unalloc_ldst
do_unalloc_ldst:
	site	unalloc_ldst
	.inst	0x38e0c000		// unallocated load/store encoding
	ret

/* HVC with an unknown function ID: PSCI returns NOT_SUPPORTED in x0, no exception. */
	.global	do_hvc_unknown
do_hvc_unknown:
	mov	x1, x0
	movz	x0, #0x5678
	movk	x0, #0x1234, lsl #16
	hvc	#0
	ret
	.global	do_hvc1_unknown
do_hvc1_unknown:
	movz	x0, #0xffff
	movk	x0, #0x8400, lsl #16
	hvc	#1
	ret

/* PC alignment fault: BR to x0 (misaligned); the handler resumes at x30. */
	.global	do_br_to
do_br_to:
	br	x0

/* SP-relative load with SP 8 mod 16 (SCTLR_EL1.SA is set by QEMU's reset value). */
	.global	do_sp_misaligned
do_sp_misaligned:
	mov	x9, sp
	sub	sp, sp, #24
	str	xzr, [sp]
	site	sp_misaligned
	ldr	x0, [sp]
	mov	sp, x9
	ret

/* ERET to a chosen SPSR at label 1: returns {NZCV, DAIF, SPSel} read there. */
	.global	do_eret_to
do_eret_to:
	adr	x1, 1f
	msr	elr_el1, x1
	msr	spsr_el1, x0
	mov	x9, sp
	msr	sp_el0, x9
	isb
	eret
1:	mrs	x2, nzcv
	mrs	x3, daif
	mrs	x4, spsel
	msr	spsel, #1
	mov	sp, x9
	msr	daifset, #0xf
	orr	x0, x2, x3
	orr	x0, x0, x4
	ret
