/*
 * Read-only access to a flattened device tree (Devicetree Specification v0.4, ch. 5).
 * Offsets are byte offsets of FDT_BEGIN_NODE tokens within the structure block; negative
 * values are errors (FDT_ERR_*).
 */
#ifndef KGDB_LAB_FDT_H
#define KGDB_LAB_FDT_H
#include <kgdb-lab/types.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_ERR_NOTFOUND (-1)
#define FDT_ERR_BADMAGIC (-2)
#define FDT_ERR_BADSTRUCTURE (-3)

/* Nonzero if a valid header is at fdt. */
bool fdt_valid(const void *fdt);
/* Total size in bytes from the header. */
u32 fdt_totalsize(const void *fdt);
/* Offset of the node at an absolute path ("/", "/chosen", "/cpus"), or FDT_ERR_*. */
int fdt_path_offset(const void *fdt, const char *path);
/* Offset of the first direct child of parent after `prev` (-1 for the first), or FDT_ERR_NOTFOUND. */
int fdt_next_child(const void *fdt, int parent, int prev);
/* Name of the node at offset ("cpu@0"). */
const char *fdt_node_name(const void *fdt, int offset);
/* Property value of the node at offset, or NULL; *len gets its length in bytes. */
const void *fdt_getprop(const void *fdt, int offset, const char *name, u32 *len);
/* True if the node's "compatible" string list contains compat. */
bool fdt_node_is_compatible(const void *fdt, int offset, const char *compat);
/* A one-cell property (e.g. "#address-cells") of the node, or def when absent. */
unsigned int fdt_get_cells(const void *fdt, int offset, const char *name, unsigned int def);
/* Big-endian cell helpers. */
u32 fdt32_to_cpu(u32 v);
/* Read a #cells-wide number (1 or 2 cells) from a property value. */
u64 fdt_read_number(const void *cells, unsigned ncells);

#endif
