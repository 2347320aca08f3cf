/*
 * Flattened device tree reader (Devicetree Specification v0.4, chapter 5). Header fields
 * and structure tokens are big-endian 32-bit words at 4-byte aligned offsets, so all
 * accesses are aligned (unaligned ones fault with the MMU off).
 */
#include <kgdb-lab/fdt.h>
#include <kgdb-lab/string.h>

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_SIZE_STRUCT 36

u32 fdt32_to_cpu(u32 v)
{
	return __builtin_bswap32(v);
}

static u32 be32_at(const void *base, u32 off)
{
	return fdt32_to_cpu(*(const u32 *)((const u8 *)base + off));
}

u64 fdt_read_number(const void *cells, unsigned ncells)
{
	u64 v = 0;
	for (unsigned i = 0; i < ncells; i++)
		v = (v << 32) | be32_at(cells, 4 * i);
	return v;
}

bool fdt_valid(const void *fdt)
{
	return fdt && ((uintptr_t)fdt & 7) == 0 && be32_at(fdt, HDR_MAGIC) == FDT_MAGIC;
}

u32 fdt_totalsize(const void *fdt)
{
	return be32_at(fdt, HDR_TOTALSIZE);
}

static const u8 *structs(const void *fdt)
{
	return (const u8 *)fdt + be32_at(fdt, HDR_OFF_STRUCT);
}

static u32 struct_size(const void *fdt)
{
	return be32_at(fdt, HDR_SIZE_STRUCT);
}

static u32 align4(u32 v)
{
	return (v + 3) & ~3u;
}

const char *fdt_node_name(const void *fdt, int offset)
{
	return (const char *)structs(fdt) + offset + 4;
}

/*
 * Offset just past the BEGIN_NODE header (tag + name) of the node at offset: where its
 * properties and children start.
 */
static u32 node_body(const void *fdt, int offset)
{
	return align4((u32)offset + 4 + (u32)strlen(fdt_node_name(fdt, offset)) + 1);
}

/*
 * Step over one token at *off. Returns the token; for BEGIN_NODE *off stays at the node's
 * body start; depth tracking is the caller's job.
 */
static u32 next_token(const void *fdt, u32 *off)
{
	const u8 *s = structs(fdt);
	u32 tok = be32_at(s, *off);
	switch (tok) {
	case FDT_BEGIN_NODE:
		*off = node_body(fdt, (int)*off);
		break;
	case FDT_PROP:
		*off = align4(*off + 12 + be32_at(s, *off + 4));
		break;
	case FDT_END_NODE:
	case FDT_NOP:
		*off += 4;
		break;
	default:
		break;
	}
	return tok;
}

int fdt_next_child(const void *fdt, int parent, int prev)
{
	if (!fdt_valid(fdt))
		return FDT_ERR_BADMAGIC;
	u32 limit = struct_size(fdt);
	u32 off;
	int depth;
	if (prev < 0) {
		off = node_body(fdt, parent);
		depth = 0;
	} else {
		/* Skip the whole subtree of prev. */
		off = node_body(fdt, prev);
		depth = 1;
	}
	while (off + 4 <= limit) {
		u32 here = off;
		u32 tok = next_token(fdt, &off);
		if (tok == FDT_BEGIN_NODE) {
			if (depth == 0)
				return (int)here;
			depth++;
		} else if (tok == FDT_END_NODE) {
			if (depth == 0)
				return FDT_ERR_NOTFOUND; /* end of parent */
			depth--;
		} else if (tok != FDT_PROP && tok != FDT_NOP) {
			return FDT_ERR_BADSTRUCTURE;
		}
	}
	return FDT_ERR_BADSTRUCTURE;
}

int fdt_path_offset(const void *fdt, const char *path)
{
	if (!fdt_valid(fdt))
		return FDT_ERR_BADMAGIC;
	if (path[0] != '/')
		return FDT_ERR_NOTFOUND;
	int node = 0; /* the root is the first token of the structure block */
	if (be32_at(structs(fdt), 0) != FDT_BEGIN_NODE)
		return FDT_ERR_BADSTRUCTURE;
	const char *p = path + 1;
	while (*p) {
		size_t n = 0;
		while (p[n] && p[n] != '/')
			n++;
		int child;
		for (child = fdt_next_child(fdt, node, -1); child >= 0; child = fdt_next_child(fdt, node, child)) {
			const char *name = fdt_node_name(fdt, child);
			/* "cpus" matches "cpus"; "pl011@9000000" matches exactly too. */
			if (strncmp(name, p, n) == 0 && name[n] == '\0')
				break;
		}
		if (child < 0)
			return child;
		node = child;
		p += n;
		if (*p == '/')
			p++;
	}
	return node;
}

const void *fdt_getprop(const void *fdt, int offset, const char *name, u32 *len)
{
	if (!fdt_valid(fdt) || offset < 0)
		return NULL;
	const u8 *s = structs(fdt);
	const char *strings = (const char *)fdt + be32_at(fdt, HDR_OFF_STRINGS);
	u32 limit = struct_size(fdt);
	u32 off = node_body(fdt, offset);
	while (off + 4 <= limit) {
		u32 tok = be32_at(s, off);
		if (tok == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tok != FDT_PROP)
			return NULL; /* properties come before subnodes */
		u32 plen = be32_at(s, off + 4);
		u32 nameoff = be32_at(s, off + 8);
		if (strcmp(strings + nameoff, name) == 0) {
			if (len)
				*len = plen;
			return s + off + 12;
		}
		off = align4(off + 12 + plen);
	}
	return NULL;
}

bool fdt_node_is_compatible(const void *fdt, int offset, const char *compat)
{
	u32 len;
	const char *list = fdt_getprop(fdt, offset, "compatible", &len);
	if (!list)
		return false;
	/* A string list: NUL-terminated strings back to back. */
	for (u32 pos = 0; pos < len;) {
		const char *s = list + pos;
		size_t n = strnlen(s, len - pos);
		if (n == strlen(compat) && strncmp(s, compat, n) == 0)
			return true;
		pos += (u32)n + 1;
	}
	return false;
}

unsigned int fdt_get_cells(const void *fdt, int offset, const char *name, unsigned int def)
{
	u32 len;
	const u32 *p = fdt_getprop(fdt, offset, name, &len);
	return p && len == 4 ? fdt32_to_cpu(*p) : def;
}
