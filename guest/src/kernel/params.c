/* Command-line access: "name=value" words of /chosen/bootargs, separated by spaces. */
#include <kgdb-lab/param.h>
#include <kgdb-lab/string.h>

const char *boot_command_line = "";

int cmdline_get(const char *name, char *buf, size_t size)
{
	size_t nlen = strlen(name);
	int found = -1;
	const char *p = boot_command_line;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen < nlen || strncmp(word, name, nlen) != 0)
			continue;
		if (wlen == nlen) {
			found = 0;
			if (size)
				buf[0] = '\0';
		} else if (word[nlen] == '=') {
			size_t vlen = wlen - nlen - 1;
			found = (int)vlen;
			if (size) {
				size_t n = vlen < size - 1 ? vlen : size - 1;
				memcpy(buf, word + nlen + 1, n);
				buf[n] = '\0';
			}
		}
	}
	return found;
}

bool cmdline_get_bool(const char *name, bool def)
{
	char buf[8];
	bool v;
	if (cmdline_get(name, buf, sizeof(buf)) < 0)
		return def;
	/* A bare "name" means true, as Linux's early_param booleans treat it. */
	if (buf[0] == '\0')
		return true;
	return kstrtobool(buf, &v) == 0 ? v : def;
}
