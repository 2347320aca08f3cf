/* Fixed-width integer types and basic definitions for the kgdb-lab guest kernel. */
#ifndef KGDB_LAB_TYPES_H
#define KGDB_LAB_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long s64;
typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned long uintptr_t;
typedef u64 phys_addr_t;
typedef _Bool bool;

#define true 1
#define false 0
#define NULL ((void *)0)

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

/* Errno values used by the kernel's return codes (include/uapi/asm-generic/errno-base.h). */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ETIMEDOUT 110

/* Signal numbers passed to kgdb_handle_exception (include/uapi/asm-generic/signal.h). */
#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGSEGV 11

#endif
