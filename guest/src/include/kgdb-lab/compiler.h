/* Compiler attributes and barriers, named as in Linux include/linux/compiler*.h. */
#ifndef KGDB_LAB_COMPILER_H
#define KGDB_LAB_COMPILER_H

#define __always_inline inline __attribute__((always_inline))
#define noinline __attribute__((noinline))
#define __noreturn __attribute__((noreturn))
#define __used __attribute__((used))
#define __weak __attribute__((weak))
#define __section(s) __attribute__((section(s)))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __aligned(n) __attribute__((aligned(n)))
#define __maybe_unused __attribute__((unused))

/*
 * Functions the idle path runs in: Linux's __cpuidle puts them in .cpuidle.text so that
 * nmi_cpu_backtrace() can tell an idle CPU (cpu_in_idle()) by its interrupted PC. The arm64
 * idle functions got this tag in the pseudo-NMI series ("arm64: idle: Tag the arm64 idle
 * functions as __cpuidle", v8 patch 06, merged in 6.7).
 */
#define __cpuidle noinline __section(".cpuidle.text")

/*
 * The kgdb entry points (kgdb_handle_exception, kgdb_nmicallback, ...): ordinary functions
 * that the debugger side hooks by address. noipa stops gcc from inlining them, cloning
 * them or assuming anything about their result (each returns 1, "not handled", when no
 * debugger took the event, which is what happens on QEMU); used keeps them in the image.
 */
#define __kgdb_entry __attribute__((noipa, used))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ volatile("" : : : "memory")

/*
 * Placed after a call that must keep its caller on the stack: the call is then no longer
 * in tail position, so -O2 cannot turn it into a branch (backtraces lose no frames).
 */
#define keep_frame() barrier()

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)
#define offsetof(t, m) __builtin_offsetof(t, m)

#endif
