# Attach to `kgdb-lab serve` and show every CPU: the thread list (one thread per CPU, with
# its kgdb state), every CPU's backtrace, the per-CPU table and the roundup events; then
# detach (the machine runs on).
#
#   gdb-multiarch -batch -ex 'directory guest' -x gdb-scripts/attach-and-show-all-cpus.gdb guest/kgdb-lab-guest.elf
#
# Connects to 127.0.0.1:1234, or to the port in $kgdb_port:
#   gdb-multiarch -batch -ex 'directory guest' -ex 'set $kgdb_port = 4321' -x gdb-scripts/attach-and-show-all-cpus.gdb guest/kgdb-lab-guest.elf

set pagination off
set confirm off
set width 0
# gdb's default (2 s) is shorter than a roundup that times out can take.
set remotetimeout 60
if $_isvoid($kgdb_port)
  set $kgdb_port = 1234
end
eval "target remote 127.0.0.1:%d", $kgdb_port

echo \n=== info threads: one thread per CPU, with its kgdb state\n
info threads
echo \n=== thread apply all bt\n
thread apply all bt
echo \n=== monitor cpus: kgdb state, PC, PSTATE.I, ICC_PMR_EL1, ICC_RPR_EL1, arrival time\n
monitor cpus
echo \n=== monitor events: the roundup, in machine time\n
monitor events
detach
