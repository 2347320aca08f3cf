/* ESR_ELx exception classes and fields (arch/arm64/include/asm/esr.h; ARM ARM D17.2.37). */
#ifndef ASM_ESR_H
#define ASM_ESR_H

#define ESR_ELx_EC_SHIFT 26
#define ESR_ELx_EC(esr) (((esr) >> ESR_ELx_EC_SHIFT) & 0x3f)
#define ESR_ELx_ISS(esr) ((esr) & 0x1ffffff)

#define ESR_ELx_EC_UNKNOWN 0x00
#define ESR_ELx_EC_FP_ASIMD 0x07
#define ESR_ELx_EC_ILL 0x0e
#define ESR_ELx_EC_SVC64 0x15
#define ESR_ELx_EC_HVC64 0x16
#define ESR_ELx_EC_SYS64 0x18
#define ESR_ELx_EC_IABT_CUR 0x21
#define ESR_ELx_EC_PC_ALIGN 0x22
#define ESR_ELx_EC_DABT_CUR 0x25
#define ESR_ELx_EC_SP_ALIGN 0x26
#define ESR_ELx_EC_SERROR 0x2f
#define ESR_ELx_EC_BREAKPT_CUR 0x31
#define ESR_ELx_EC_SOFTSTP_CUR 0x33
#define ESR_ELx_EC_WATCHPT_CUR 0x35
#define ESR_ELx_EC_BRK64 0x3c

/* Data/instruction abort ISS: fault status code [5:0], write-not-read bit 6. */
#define ESR_ELx_FSC(esr) ((esr) & 0x3f)
#define ESR_ELx_WNR (1UL << 6)
#define ESR_ELx_FSC_EXTABT 0x10
#define ESR_ELx_FSC_ALIGN 0x21

/* BRK64: the immediate is the ISS comment field [15:0]. */
#define ESR_ELx_BRK64_ISS_COMMENT_MASK 0xffff

#endif
