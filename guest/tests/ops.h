/*
 * Table of integer data-processing instructions for the ALU tests (alu.c, rand_ops.c).
 *
 * Each entry runs one A64 instruction (or a short fixed sequence) in inline asm with
 * operands a (Rn) and b (Rm), after setting NZCV to a chosen value, and returns the
 * destination register and NZCV afterwards. Reading NZCV after instructions that do not
 * set flags checks that they leave the flags alone; setting it first feeds the carry and
 * condition inputs of ADC/SBC/CSEL/CCMP.
 *
 * Instruction classes: ARM ARM C4.1.2 (data processing, immediate) and C4.1.5 (data
 * processing, register).
 */
#ifndef OPS_H
#define OPS_H
#include "rt.h"

struct op_result {
	u64 d;
	u64 nzcv; /* NZCV register value: flags in bits [31:28] */
};

typedef void (*op_fn)(struct op_result *r, u64 a, u64 b, u64 nzcv_in);

struct op_desc {
	const char *name;
	op_fn fn;
};

#define OP_DEFINE(id, body)                                                           \
	static NOINLINE void op_##id(struct op_result *r, u64 a, u64 b, u64 nzcv_in)   \
	{                                                                             \
		u64 d, f;                                                             \
		__asm__ volatile("msr nzcv, %x[fin]\n\t" body "\n\tmrs %x[f], nzcv"  \
				 : [d] "=&r"(d), [f] "=&r"(f)                         \
				 : [a] "r"(a), [b] "r"(b), [fin] "r"(nzcv_in)        \
				 : "cc");                                             \
		r->d = d;                                                     \
		r->nzcv = f;                                                  \
	}

/* X(id, body): id is also the printed name. */
#define OPS_LIST(X)                                                                  \
	/* add/sub, shifted register */                                              \
	X(add_x, "add %x[d], %x[a], %x[b]")                                          \
	X(adds_x, "adds %x[d], %x[a], %x[b]")                                        \
	X(sub_x, "sub %x[d], %x[a], %x[b]")                                          \
	X(subs_x, "subs %x[d], %x[a], %x[b]")                                        \
	X(add_w, "add %w[d], %w[a], %w[b]")                                          \
	X(adds_w, "adds %w[d], %w[a], %w[b]")                                        \
	X(sub_w, "sub %w[d], %w[a], %w[b]")                                          \
	X(subs_w, "subs %w[d], %w[a], %w[b]")                                        \
	X(add_x_lsl1, "add %x[d], %x[a], %x[b], lsl #1")                             \
	X(add_x_lsl63, "add %x[d], %x[a], %x[b], lsl #63")                           \
	X(adds_x_lsr7, "adds %x[d], %x[a], %x[b], lsr #7")                           \
	X(subs_x_asr33, "subs %x[d], %x[a], %x[b], asr #33")                         \
	X(sub_x_asr63, "sub %x[d], %x[a], %x[b], asr #63")                           \
	X(adds_w_lsl5, "adds %w[d], %w[a], %w[b], lsl #5")                           \
	X(subs_w_asr31, "subs %w[d], %w[a], %w[b], asr #31")                         \
	X(add_w_lsr1, "add %w[d], %w[a], %w[b], lsr #1")                             \
	X(cmp_x, "mov %x[d], xzr\n\tcmp %x[a], %x[b]")                               \
	X(cmn_w, "mov %x[d], xzr\n\tcmn %w[a], %w[b]")                               \
	X(neg_x, "neg %x[d], %x[b]")                                                 \
	X(negs_x, "negs %x[d], %x[b]")                                               \
	X(negs_w_lsl3, "negs %w[d], %w[b], lsl #3")                                  \
	/* add/sub with carry */                                                     \
	X(adc_x, "adc %x[d], %x[a], %x[b]")                                          \
	X(adcs_x, "adcs %x[d], %x[a], %x[b]")                                        \
	X(sbc_x, "sbc %x[d], %x[a], %x[b]")                                          \
	X(sbcs_x, "sbcs %x[d], %x[a], %x[b]")                                        \
	X(adc_w, "adc %w[d], %w[a], %w[b]")                                          \
	X(adcs_w, "adcs %w[d], %w[a], %w[b]")                                        \
	X(sbc_w, "sbc %w[d], %w[a], %w[b]")                                          \
	X(sbcs_w, "sbcs %w[d], %w[a], %w[b]")                                        \
	X(ngc_x, "ngc %x[d], %x[b]")                                                 \
	X(ngcs_w, "ngcs %w[d], %w[b]")                                               \
	/* add/sub, extended register */                                             \
	X(add_x_uxtb2, "add %x[d], %x[a], %w[b], uxtb #2")                           \
	X(add_x_uxth, "add %x[d], %x[a], %w[b], uxth")                               \
	X(add_x_uxtw4, "add %x[d], %x[a], %w[b], uxtw #4")                           \
	X(add_x_sxtb, "add %x[d], %x[a], %w[b], sxtb")                               \
	X(adds_x_sxth1, "adds %x[d], %x[a], %w[b], sxth #1")                         \
	X(subs_x_sxtw3, "subs %x[d], %x[a], %w[b], sxtw #3")                         \
	X(sub_x_uxtx2, "sub %x[d], %x[a], %x[b], uxtx #2")                           \
	X(adds_x_sxtx, "adds %x[d], %x[a], %x[b], sxtx")                             \
	X(add_w_uxtb, "add %w[d], %w[a], %w[b], uxtb")                               \
	X(subs_w_sxth4, "subs %w[d], %w[a], %w[b], sxth #4")                         \
	X(cmp_x_uxtw, "mov %x[d], xzr\n\tcmp %x[a], %w[b], uxtw")                    \
	/* add/sub, immediate */                                                     \
	X(add_x_imm, "add %x[d], %x[a], #4095")                                      \
	X(add_x_imm12, "add %x[d], %x[a], #0xabc, lsl #12")                          \
	X(adds_x_imm, "adds %x[d], %x[a], #1")                                       \
	X(subs_x_imm0, "subs %x[d], %x[a], #0")                                      \
	X(subs_w_imm, "subs %w[d], %w[a], #0x800")                                   \
	X(adds_w_imm12, "adds %w[d], %w[a], #0xfff, lsl #12")                        \
	X(sub_w_imm, "sub %w[d], %w[a], #1")                                         \
	X(cmn_x_imm, "mov %x[d], xzr\n\tcmn %x[a], #42")                             \
	/* logical, shifted register */                                              \
	X(and_x, "and %x[d], %x[a], %x[b]")                                          \
	X(ands_x, "ands %x[d], %x[a], %x[b]")                                        \
	X(orr_x_ror13, "orr %x[d], %x[a], %x[b], ror #13")                           \
	X(orn_x, "orn %x[d], %x[a], %x[b]")                                          \
	X(eor_x_lsr3, "eor %x[d], %x[a], %x[b], lsr #3")                             \
	X(eon_x_asr60, "eon %x[d], %x[a], %x[b], asr #60")                           \
	X(bic_x_lsl8, "bic %x[d], %x[a], %x[b], lsl #8")                             \
	X(bics_x, "bics %x[d], %x[a], %x[b]")                                        \
	X(and_w_ror31, "and %w[d], %w[a], %w[b], ror #31")                           \
	X(ands_w_asr7, "ands %w[d], %w[a], %w[b], asr #7")                           \
	X(orr_w, "orr %w[d], %w[a], %w[b]")                                          \
	X(orn_w_lsl16, "orn %w[d], %w[a], %w[b], lsl #16")                           \
	X(eor_w, "eor %w[d], %w[a], %w[b]")                                          \
	X(eon_w, "eon %w[d], %w[a], %w[b]")                                          \
	X(bic_w, "bic %w[d], %w[a], %w[b]")                                          \
	X(bics_w_lsr4, "bics %w[d], %w[a], %w[b], lsr #4")                           \
	X(tst_x, "mov %x[d], xzr\n\ttst %x[a], %x[b]")                               \
	X(mvn_x, "mvn %x[d], %x[b]")                                                 \
	X(mvn_w_ror3, "mvn %w[d], %w[b], ror #3")                                    \
	/* logical, immediate (bitmask immediates) */                                \
	X(and_x_imm, "and %x[d], %x[a], #0xff")                                      \
	X(orr_x_imm, "orr %x[d], %x[a], #0x5555555555555555")                        \
	X(eor_x_imm, "eor %x[d], %x[a], #0x7ffffffffffffffe")                        \
	X(ands_x_imm, "ands %x[d], %x[a], #0x8000000000000001")                      \
	X(and_x_imm2, "and %x[d], %x[a], #0x00ff00ff00ff00ff")                       \
	X(orr_x_imm3, "orr %x[d], %x[a], #0x0000ffff0000ffff")                       \
	X(eor_x_imm4, "eor %x[d], %x[a], #0xe0e0e0e0e0e0e0e0")                       \
	X(and_w_imm, "and %w[d], %w[a], #0x3fc")                                     \
	X(orr_w_imm, "orr %w[d], %w[a], #0x80000001")                                \
	X(eor_w_imm, "eor %w[d], %w[a], #0x55555555")                                \
	X(ands_w_imm, "ands %w[d], %w[a], #0xfffffff0")                              \
	X(tst_w_imm, "mov %x[d], xzr\n\ttst %w[a], #0x80000000")                     \
	/* move wide */                                                              \
	X(movk_x16, "mov %x[d], %x[a]\n\tmovk %x[d], #0xbeef, lsl #16")              \
	X(movk_x48, "mov %x[d], %x[a]\n\tmovk %x[d], #0x1234, lsl #48")              \
	X(movk_w0, "mov %x[d], %x[a]\n\tmovk %w[d], #0xcafe")                        \
	X(movz_movk, "movz %x[d], #0xdead, lsl #32\n\tmovk %x[d], #0x1")             \
	X(movn_x, "movn %x[d], #0x1234, lsl #16")                                    \
	X(movn_w, "movn %w[d], #0x1234, lsl #16")                                    \
	/* variable shifts */                                                        \
	X(lslv_x, "lsl %x[d], %x[a], %x[b]")                                         \
	X(lsrv_x, "lsr %x[d], %x[a], %x[b]")                                         \
	X(asrv_x, "asr %x[d], %x[a], %x[b]")                                         \
	X(rorv_x, "ror %x[d], %x[a], %x[b]")                                         \
	X(lslv_w, "lsl %w[d], %w[a], %w[b]")                                         \
	X(lsrv_w, "lsr %w[d], %w[a], %w[b]")                                         \
	X(asrv_w, "asr %w[d], %w[a], %w[b]")                                         \
	X(rorv_w, "ror %w[d], %w[a], %w[b]")                                         \
	/* immediate shifts (UBFM/SBFM/EXTR aliases) */                              \
	X(lsl_x_1, "lsl %x[d], %x[a], #1")                                           \
	X(lsl_x_63, "lsl %x[d], %x[a], #63")                                         \
	X(lsr_x_32, "lsr %x[d], %x[a], #32")                                         \
	X(asr_x_1, "asr %x[d], %x[a], #1")                                           \
	X(asr_x_63, "asr %x[d], %x[a], #63")                                         \
	X(ror_x_17, "ror %x[d], %x[a], #17")                                         \
	X(lsl_w_31, "lsl %w[d], %w[a], #31")                                         \
	X(lsr_w_5, "lsr %w[d], %w[a], #5")                                           \
	X(asr_w_31, "asr %w[d], %w[a], #31")                                         \
	X(ror_w_9, "ror %w[d], %w[a], #9")                                           \
	/* bitfield */                                                               \
	X(ubfx_x, "ubfx %x[d], %x[a], #13, #21")                                     \
	X(ubfx_x_top, "ubfx %x[d], %x[a], #60, #4")                                  \
	X(sbfx_x, "sbfx %x[d], %x[a], #7, #9")                                       \
	X(sbfx_x_wide, "sbfx %x[d], %x[a], #1, #63")                                 \
	X(ubfiz_x, "ubfiz %x[d], %x[a], #40, #20")                                   \
	X(sbfiz_x, "sbfiz %x[d], %x[a], #3, #33")                                    \
	X(bfi_x, "mov %x[d], %x[b]\n\tbfi %x[d], %x[a], #17, #30")                   \
	X(bfxil_x, "mov %x[d], %x[b]\n\tbfxil %x[d], %x[a], #35, #12")               \
	X(bfm_x_wrap, "mov %x[d], %x[b]\n\tbfm %x[d], %x[a], #60, #10")              \
	X(ubfm_x_wrap, "ubfm %x[d], %x[a], #50, #20")                                \
	X(sbfm_x_wrap, "sbfm %x[d], %x[a], #62, #5")                                 \
	X(ubfx_w, "ubfx %w[d], %w[a], #3, #17")                                      \
	X(sbfx_w, "sbfx %w[d], %w[a], #20, #12")                                     \
	X(bfi_w, "mov %x[d], %x[b]\n\tbfi %w[d], %w[a], #8, #8")                     \
	X(bfxil_w, "mov %x[d], %x[b]\n\tbfxil %w[d], %w[a], #0, #31")                \
	X(sbfiz_w, "sbfiz %w[d], %w[a], #28, #4")                                    \
	X(sxtb_x, "sxtb %x[d], %w[a]")                                               \
	X(sxth_x, "sxth %x[d], %w[a]")                                               \
	X(sxtw_x, "sxtw %x[d], %w[a]")                                               \
	X(sxtb_w, "sxtb %w[d], %w[a]")                                               \
	X(uxtb_w, "uxtb %w[d], %w[a]")                                               \
	X(uxth_w, "uxth %w[d], %w[a]")                                               \
	X(extr_x, "extr %x[d], %x[a], %x[b], #23")                                   \
	X(extr_w, "extr %w[d], %w[a], %w[b], #7")                                    \
	/* multiply */                                                               \
	X(mul_x, "mul %x[d], %x[a], %x[b]")                                          \
	X(madd_x, "madd %x[d], %x[a], %x[b], %x[a]")                                 \
	X(msub_x, "msub %x[d], %x[a], %x[b], %x[b]")                                 \
	X(mneg_x, "mneg %x[d], %x[a], %x[b]")                                        \
	X(mul_w, "mul %w[d], %w[a], %w[b]")                                          \
	X(madd_w, "madd %w[d], %w[a], %w[b], %w[b]")                                 \
	X(msub_w, "msub %w[d], %w[a], %w[b], %w[a]")                                 \
	X(smull, "smull %x[d], %w[a], %w[b]")                                        \
	X(umull, "umull %x[d], %w[a], %w[b]")                                        \
	X(smaddl, "smaddl %x[d], %w[a], %w[b], %x[a]")                               \
	X(smsubl, "smsubl %x[d], %w[a], %w[b], %x[b]")                               \
	X(umaddl, "umaddl %x[d], %w[a], %w[b], %x[b]")                               \
	X(umsubl, "umsubl %x[d], %w[a], %w[b], %x[a]")                               \
	X(smnegl, "smnegl %x[d], %w[a], %w[b]")                                      \
	X(smulh, "smulh %x[d], %x[a], %x[b]")                                        \
	X(umulh, "umulh %x[d], %x[a], %x[b]")                                        \
	/* divide */                                                                 \
	X(udiv_x, "udiv %x[d], %x[a], %x[b]")                                        \
	X(sdiv_x, "sdiv %x[d], %x[a], %x[b]")                                        \
	X(udiv_w, "udiv %w[d], %w[a], %w[b]")                                        \
	X(sdiv_w, "sdiv %w[d], %w[a], %w[b]")                                        \
	/* one-source */                                                             \
	X(clz_x, "clz %x[d], %x[a]")                                                 \
	X(cls_x, "cls %x[d], %x[a]")                                                 \
	X(clz_w, "clz %w[d], %w[a]")                                                 \
	X(cls_w, "cls %w[d], %w[a]")                                                 \
	X(rbit_x, "rbit %x[d], %x[a]")                                               \
	X(rbit_w, "rbit %w[d], %w[a]")                                               \
	X(rev_x, "rev %x[d], %x[a]")                                                 \
	X(rev_w, "rev %w[d], %w[a]")                                                 \
	X(rev16_x, "rev16 %x[d], %x[a]")                                             \
	X(rev16_w, "rev16 %w[d], %w[a]")                                             \
	X(rev32_x, "rev32 %x[d], %x[a]")                                             \
	/* conditional select / compare (flags come from nzcv_in) */                 \
	X(csel_eq_x, "csel %x[d], %x[a], %x[b], eq")                                 \
	X(csel_hi_w, "csel %w[d], %w[a], %w[b], hi")                                 \
	X(csinc_lt_x, "csinc %x[d], %x[a], %x[b], lt")                               \
	X(csinv_ge_w, "csinv %w[d], %w[a], %w[b], ge")                               \
	X(csneg_vs_x, "csneg %x[d], %x[a], %x[b], vs")                               \
	X(csneg_le_w, "csneg %w[d], %w[a], %w[b], le")                               \
	X(cset_cc, "cset %x[d], cc")                                                 \
	X(csetm_gt_w, "csetm %w[d], gt")                                             \
	X(cinc_mi_x, "cinc %x[d], %x[a], mi")                                        \
	X(ccmp_x_ne, "mov %x[d], xzr\n\tccmp %x[a], %x[b], #0x5, ne")                \
	X(ccmp_w_ls, "mov %x[d], xzr\n\tccmp %w[a], %w[b], #0xa, ls")                \
	X(ccmn_x_pl, "mov %x[d], xzr\n\tccmn %x[a], %x[b], #0x3, pl")                \
	X(ccmp_x_imm_cs, "mov %x[d], xzr\n\tccmp %x[a], #31, #0xc, cs")              \
	X(ccmn_w_imm_al, "mov %x[d], xzr\n\tccmn %w[a], #7, #0x0, al")               \
	X(ccmp_x_nv, "mov %x[d], xzr\n\tccmp %x[a], %x[b], #0xf, nv")

OPS_LIST(OP_DEFINE)

#define OP_ENTRY(id, body) { #id, op_##id },
static const struct op_desc ops[] = { OPS_LIST(OP_ENTRY) };

#endif
