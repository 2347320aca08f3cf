/*
 * Minimal flattened-device-tree reader (Devicetree Specification v0.4, chapter 5):
 * header fields and structure-block tokens are big-endian 32-bit words at 4-byte aligned
 * offsets, so every access here is aligned (unaligned accesses fault with the MMU off).
 */
#include "rt.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 be32(const void *p)
{
	u32 v = *(const u32 *)p;
	return __builtin_bswap32(v);
}

struct fdt_hdr {
	const u8 *base;
	const u8 *structs;
	const char *strings;
	u32 struct_size;
};

static bool fdt_open(const void *fdt, struct fdt_hdr *h)
{
	const u8 *b = fdt;
	if (be32(b) != FDT_MAGIC)
		return false;
	h->base = b;
	h->structs = b + be32(b + 8);
	h->strings = (const char *)b + be32(b + 12);
	h->struct_size = be32(b + 36);
	return true;
}

static u32 align4(u32 v) { return (v + 3) & ~3u; }

/*
 * Walk the structure block. For each node the callback gets its depth (root = 0) and name;
 * for each property its name, value and length. Stops at FDT_END or on a malformed token.
 */
struct fdt_walker {
	void (*node)(struct fdt_walker *w, int depth, const char *name);
	void (*end_node)(struct fdt_walker *w, int depth);
	void (*prop)(struct fdt_walker *w, int depth, const char *name, const u8 *val, u32 len);
};

static void fdt_walk(const struct fdt_hdr *h, struct fdt_walker *w)
{
	u32 off = 0;
	int depth = -1;
	while (off + 4 <= h->struct_size) {
		u32 tok = be32(h->structs + off);
		off += 4;
		switch (tok) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)h->structs + off;
			depth++;
			if (w->node)
				w->node(w, depth, name);
			off = align4(off + (u32)strlen(name) + 1);
			break;
		}
		case FDT_END_NODE:
			if (w->end_node)
				w->end_node(w, depth);
			depth--;
			break;
		case FDT_PROP: {
			u32 len = be32(h->structs + off);
			u32 nameoff = be32(h->structs + off + 4);
			off += 8;
			if (w->prop)
				w->prop(w, depth, h->strings + nameoff, h->structs + off, len);
			off = align4(off + len);
			break;
		}
		case FDT_NOP:
			break;
		default: /* FDT_END or garbage */
			return;
		}
	}
}

/* ---- /cpus/cpu@* ---- */
struct cpu_walk {
	struct fdt_walker w;
	bool in_cpus;       /* inside /cpus (depth 1) */
	bool in_cpu;        /* inside /cpus/cpu@* (depth 2) */
	unsigned count;
	u64 *regs;
	unsigned max;
	u32 address_cells;  /* #address-cells of /cpus */
};

static void cpu_node(struct fdt_walker *w, int depth, const char *name)
{
	struct cpu_walk *c = (struct cpu_walk *)w;
	if (depth == 1)
		c->in_cpus = strcmp(name, "cpus") == 0;
	else if (depth == 2 && c->in_cpus && strncmp(name, "cpu@", 4) == 0) {
		c->in_cpu = true;
		if (c->regs && c->count < c->max)
			c->regs[c->count] = ~0UL; /* until a reg property is seen */
		c->count++;
	}
}

static void cpu_end(struct fdt_walker *w, int depth)
{
	struct cpu_walk *c = (struct cpu_walk *)w;
	if (depth == 2)
		c->in_cpu = false;
	else if (depth == 1)
		c->in_cpus = false;
}

static void cpu_prop(struct fdt_walker *w, int depth, const char *name, const u8 *val, u32 len)
{
	struct cpu_walk *c = (struct cpu_walk *)w;
	if (depth == 1 && c->in_cpus && strcmp(name, "#address-cells") == 0 && len == 4)
		c->address_cells = be32(val);
	if (depth == 2 && c->in_cpu && strcmp(name, "reg") == 0 && c->regs && c->count <= c->max) {
		u64 r = be32(val);
		if (c->address_cells == 2 && len >= 8)
			r = (r << 32) | be32(val + 4);
		c->regs[c->count - 1] = r;
	}
}

unsigned fdt_cpus(const void *fdt, u64 *regs, unsigned max)
{
	struct fdt_hdr h;
	if (!fdt_open(fdt, &h))
		return 0;
	struct cpu_walk c = { { cpu_node, cpu_end, cpu_prop }, false, false, 0, regs, max, 1 };
	fdt_walk(&h, &c.w);
	return c.count;
}

/* ---- property lookup by path ---- */
struct prop_walk {
	struct fdt_walker w;
	const char *path;   /* remaining path components, e.g. "chosen" */
	const char *prop;
	int match_depth;    /* deepest depth whose node matched the path so far */
	int want_depth;     /* depth of the target node */
	const u8 *val;
	u32 len;
};

/* Does `name` equal path component number `depth` (1-based) of w->path? */
static bool component_matches(const char *path, int depth, const char *name)
{
	const char *p = path;
	for (int d = 1; d < depth; d++) {
		while (*p && *p != '/')
			p++;
		if (*p == '/')
			p++;
	}
	size_t n = 0;
	while (p[n] && p[n] != '/')
		n++;
	return strncmp(p, name, n) == 0 && name[n] == '\0';
}

static void prop_node(struct fdt_walker *w, int depth, const char *name)
{
	struct prop_walk *p = (struct prop_walk *)w;
	if (depth == 0)
		p->match_depth = 0;
	else if (depth == p->match_depth + 1 && depth <= p->want_depth &&
		 component_matches(p->path, depth, name))
		p->match_depth = depth;
}

static void prop_end(struct fdt_walker *w, int depth)
{
	struct prop_walk *p = (struct prop_walk *)w;
	if (depth == p->match_depth)
		p->match_depth = depth - 1;
}

static void prop_prop(struct fdt_walker *w, int depth, const char *name, const u8 *val, u32 len)
{
	struct prop_walk *p = (struct prop_walk *)w;
	if (!p->val && depth == p->want_depth && p->match_depth == depth && strcmp(name, p->prop) == 0) {
		p->val = val;
		p->len = len;
	}
}

const void *fdt_getprop(const void *fdt, const char *path, const char *prop, u32 *len)
{
	struct fdt_hdr h;
	if (!fdt_open(fdt, &h) || path[0] != '/')
		return NULL;
	const char *rest = path + 1;
	int want = 0;
	if (*rest) {
		want = 1;
		for (const char *q = rest; *q; q++)
			if (*q == '/')
				want++;
	}
	struct prop_walk p = { { prop_node, prop_end, prop_prop }, rest, prop, -1, want, NULL, 0 };
	fdt_walk(&h, &p.w);
	if (p.val && len)
		*len = p.len;
	return p.val;
}
