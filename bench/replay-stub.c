/*
 * replay-stub: a gdb remote stub that does no work. It answers each packet with the reply a
 * real stub gave to the same packet in a recorded session (bench/replay.ts records one from
 * kgdb-lab and writes the table), so gdb sees the same machine state and prints the same
 * backtraces. Timing gdb against it gives the least any stub can take to show those stacks
 * on this host: what is left is gdb, the kernel's loopback TCP and the host.
 *
 * Usage: replay-stub PORT TABLE. TABLE has one line per request: "KEY REPLY", both hex, where
 * KEY is the request payload prefixed by the thread of the last Hg for g/p/G/P (registers
 * depend on it) and REPLY is the whole framed reply ("$...#cs"). A key seen several times
 * has its replies served in the recorded order, the last one repeated.
 *
 * Protocol as gdb's manual, "Remote Protocol": acks until QStartNoAckMode; a resume (c,
 * vCont;c) is answered only when gdb sends the interrupt byte 0x03, as a running target does.
 * Prints "listening" on stdout once it accepts; exits after D or when gdb closes.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct entry {
	char *key;
	size_t nreplies, next;
	char **reply;
	size_t *len;
};

#define BUCKETS 65536
static struct entry *buckets[BUCKETS];
static struct entry *table;
static size_t nentries;

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Open addressing over pointers into table[]. */
static struct entry **slot(const char *key)
{
	for (uint32_t i = hash(key) % BUCKETS;; i = (i + 1) % BUCKETS)
		if (!buckets[i] || !strcmp(buckets[i]->key, key))
			return &buckets[i];
}

static char *unhex(const char *h, size_t *n)
{
	size_t len = strlen(h) / 2;
	char *b = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		sscanf(h + 2 * i, "%2hhx", (unsigned char *)&b[i]);
	b[len] = 0;
	*n = len;
	return b;
}

static void load(const char *path)
{
	FILE *f = fopen(path, "r");
	static char line[1 << 22];
	if (!f) {
		perror(path);
		exit(2);
	}
	table = calloc(BUCKETS / 2, sizeof *table);
	while (fgets(line, sizeof line, f)) {
		char *sp = strchr(line, ' ');
		size_t kn, rn;
		if (!sp)
			continue;
		*sp = 0;
		sp[1 + strcspn(sp + 1, "\n")] = 0;
		char *key = unhex(line, &kn), *reply = unhex(sp + 1, &rn);
		struct entry **s = slot(key);
		if (!*s) {
			if (nentries == BUCKETS / 2) {
				fprintf(stderr, "replay-stub: table too large\n");
				exit(2);
			}
			*s = &table[nentries++];
			(*s)->key = key;
		}
		struct entry *e = *s;
		e->reply = realloc(e->reply, (e->nreplies + 1) * sizeof *e->reply);
		e->len = realloc(e->len, (e->nreplies + 1) * sizeof *e->len);
		e->reply[e->nreplies] = reply;
		e->len[e->nreplies++] = rn;
	}
	fclose(f);
}

static int is_resume(const char *p)
{
	return !strcmp(p, "c") || !strncmp(p, "vCont;c", 7);
}

static void send_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w <= 0)
			exit(1);
		b += w;
		n -= (size_t)w;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: replay-stub PORT TABLE\n");
		return 2;
	}
	load(argv[2]);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 1)) {
		perror("replay-stub: bind");
		return 1;
	}
	printf("listening %zu keys\n", nentries);
	fflush(stdout);
	int c = accept(ls, NULL, NULL);
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	static char in[1 << 20], key[1 << 16];
	size_t have = 0;
	int noack = 0;
	char hg[64] = "0";
	const char *pending = NULL;
	size_t pending_len = 0;
	for (;;) {
		ssize_t n = read(c, in + have, sizeof in - have);
		if (n <= 0)
			return 0;
		have += (size_t)n;
		size_t i = 0;
		while (i < have) {
			if (in[i] == 0x03 && pending) {
				send_all(c, pending, pending_len);
				pending = NULL;
			}
			if (in[i] != '$') {
				i++;
				continue;
			}
			char *hash_mark = memchr(in + i, '#', have - i);
			if (!hash_mark || (size_t)(hash_mark - in) + 3 > have)
				break;
			size_t plen = (size_t)(hash_mark - in) - i - 1;
			char *p = in + i + 1;
			i = (size_t)(hash_mark - in) + 3;
			if (!noack)
				send_all(c, "+", 1);
			if (plen > 2 && p[0] == 'H' && p[1] == 'g')
				snprintf(hg, sizeof hg, "%.*s", (int)(plen - 2), p + 2);
			int regs = p[0] == 'g' || p[0] == 'p' || p[0] == 'G' || p[0] == 'P';
			snprintf(key, sizeof key, "%s %.*s", regs ? hg : "*", (int)plen, p);
			struct entry *e = *slot(key);
			const char *r = "$#00";
			size_t rlen = 4;
			if (e) {
				size_t k = e->next < e->nreplies - 1 ? e->next++ : e->nreplies - 1;
				r = e->reply[k];
				rlen = e->len[k];
			} else {
				fprintf(stderr, "replay-stub: not in the table: %s\n", key);
			}
			if (is_resume(key + strlen(regs ? hg : "*") + 1)) {
				pending = r;
				pending_len = rlen;
				continue;
			}
			send_all(c, r, rlen);
			if (plen == 15 && !memcmp(p, "QStartNoAckMode", 15))
				noack = 1;
			if (p[0] == 'D')
				return 0;
		}
		memmove(in, in + i, have - i);
		have -= i;
	}
}
