/* The kernel command line (/chosen/bootargs), parsed as key=value words. */
#ifndef KGDB_LAB_PARAM_H
#define KGDB_LAB_PARAM_H
#include <kgdb-lab/types.h>

extern const char *boot_command_line;

/*
 * Copy the value of the last "name=value" word of the command line into buf (size bytes,
 * NUL-terminated). Returns the value's length, or -1 if the word is absent. A bare "name"
 * gives an empty value.
 */
int cmdline_get(const char *name, char *buf, size_t size);
/* The value of name parsed with kstrtobool, or def when absent or unparsable. */
bool cmdline_get_bool(const char *name, bool def);

#endif
