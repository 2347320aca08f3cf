# kgdb-cpus: kgdb-lab's per-CPU table inside gdb, for interactive and scripted sessions.
#
# Load it with `source gdb-scripts/kgdb-cpus.py` (or `-x gdb-scripts/kgdb-cpus.py` on gdb's
# command line) while attached to `kgdb-lab serve`, e.g. from the repository root (`directory
# guest` lets gdb find the guest's sources):
#
#   gdb-multiarch -batch -ex 'directory guest' -ex 'target remote :1234' -x gdb-scripts/kgdb-cpus.py -ex 'kgdb-cpus CPU state roundup arrived' guest/kgdb-lab-guest.elf
#
# It adds:
#
#   kgdb-cpus [COLUMN ...]     the table of `monitor cpus` for the current stop, all columns
#                              or only those named (e.g. `kgdb-cpus CPU state PC roundup`)
#   $kgdb_cpu(N, "COLUMN")     one cell as a string, for gdb scripts:
#                              if $_streq($kgdb_cpu(2, "state"), "master") ...
#   kgdb_cpus()                (Python) the rows as a list of dicts, one per CPU
#
# The data come from `monitor cpus` (the server's table: kgdb state, PC, PSTATE.I,
# ICC_PMR_EL1, ICC_RPR_EL1, roundup result and arrival time, ESR/FAR/ELR/SPSR/VBAR/SCTLR);
# columns are found by the header's positions, so cells may contain single spaces.

import gdb


def _parse(text):
    lines = [l for l in text.splitlines() if l.strip()]
    header_at = next((i for i, l in enumerate(lines) if l.startswith("CPU ") and " state " in l), None)
    if header_at is None:
        raise gdb.GdbError("kgdb-cpus: no CPU table in the output of `monitor cpus` (is this kgdb-lab serve?)")
    header = lines[header_at]
    names = header.split()
    starts = []
    pos = 0
    for name in names:
        pos = header.index(name, pos)
        starts.append(pos)
        pos += len(name)
    rows = []
    for line in lines[header_at + 1:]:
        if not line[:1].isdigit():
            break
        cells = []
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else None
            cells.append(line[start:end].strip())
        rows.append(dict(zip(names, cells)))
    return names, rows


def kgdb_cpus():
    """The current stop's CPU table: a list of dicts keyed by column name, one per CPU."""
    return _parse(gdb.execute("monitor cpus", to_string=True))[1]


class KgdbCpusCommand(gdb.Command):
    """Print kgdb-lab's per-CPU table for the current stop (from `monitor cpus`).

Usage: kgdb-cpus [COLUMN ...]
With no argument every column is shown; otherwise only the columns named, in that order
(CPU thread state PC I PMR RPR roundup arrived ESR FAR ELR SPSR VBAR SCTLR)."""

    def __init__(self):
        super(KgdbCpusCommand, self).__init__("kgdb-cpus", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        names, rows = _parse(gdb.execute("monitor cpus", to_string=True))
        wanted = gdb.string_to_argv(arg) or names
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise gdb.GdbError("kgdb-cpus: no column %s; columns: %s" % (", ".join(unknown), " ".join(names)))
        table = [wanted] + [[r[w] for w in wanted] for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(wanted))]
        for row in table:
            gdb.write("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() + "\n")


class KgdbCpuFunction(gdb.Function):
    """$kgdb_cpu(N, "COLUMN"): one cell of kgdb-lab's CPU table, as a string."""

    def __init__(self):
        super(KgdbCpuFunction, self).__init__("kgdb_cpu")

    def invoke(self, cpu, column):
        rows = kgdb_cpus()
        n = int(cpu)
        if n < 0 or n >= len(rows):
            raise gdb.GdbError("kgdb_cpu: no CPU %d" % n)
        name = column.string()
        if name not in rows[n]:
            raise gdb.GdbError("kgdb_cpu: no column %s" % name)
        return rows[n][name]


KgdbCpusCommand()
KgdbCpuFunction()
