/* Magic SysRq (drivers/tty/sysrq.c): the keys this kernel handles are 'g' (kgdb) and 'l' (NMI backtrace). */
#ifndef KGDB_LAB_SYSRQ_H
#define KGDB_LAB_SYSRQ_H

/* How long after a break the next character counts as a SysRq key: 5 s (SYSRQ_TIMEOUT). */
#define SYSRQ_TIMEOUT (HZ * 5)

/* Run the SysRq action for key (as the serial console does after a break). */
void handle_sysrq(int key);

#endif
