#ifndef KGDB_LAB_STRING_H
#define KGDB_LAB_STRING_H
#include <kgdb-lab/types.h>

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *strchr(const char *s, int c);
/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src) (BSD strlcpy). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Parse a boolean: "1", "y", "Y", "on" → true; "0", "n", "N", "off" → false; else -EINVAL (lib/kstrtox.c). */
int kstrtobool(const char *s, bool *res);

#endif
