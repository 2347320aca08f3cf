/**
 * Exception-model constants. Vector offsets: ARM ARM D1.10.2 (vector table layout);
 * ESR_EL1 exception classes and fault status codes: QEMU target/arm/syndrome.h.
 */

/** Offsets of the exception kinds within one 0x200-byte vector block. */
export const VECTOR_SYNC = 0x000;
export const VECTOR_IRQ = 0x080;
export const VECTOR_FIQ = 0x100;
export const VECTOR_SERROR = 0x180;

/** ESR_EL1.EC values. */
export const EC_UNKNOWN = 0x00;
export const EC_WFX = 0x01;
export const EC_ILLEGAL_STATE = 0x0e;
export const EC_SVC = 0x15;
export const EC_HVC = 0x16;
export const EC_SMC = 0x17;
export const EC_SYSREG = 0x18;
export const EC_INSN_ABORT_LOWER_EL = 0x20;
export const EC_INSN_ABORT_SAME_EL = 0x21;
export const EC_PC_ALIGNMENT = 0x22;
export const EC_DATA_ABORT_LOWER_EL = 0x24;
export const EC_DATA_ABORT_SAME_EL = 0x25;
export const EC_SP_ALIGNMENT = 0x26;
export const EC_BRK = 0x3c;

/** Data/instruction fault status codes (ISS.DFSC / IFSC). */
export const DFSC_EXTERNAL = 0x10;
export const DFSC_ALIGNMENT = 0x21;
