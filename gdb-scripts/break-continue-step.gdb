# Breakpoints and stepping under kgdb, on the bundled guest's hardlockup scenario (4 CPUs):
# a breakpoint that a secondary CPU hits (CPU 1, the idle one, in default_idle_call), the
# other CPUs rounded up meanwhile; single steps of that CPU (the kgdb master) while the
# others stay parked; a second hit; then detach (breakpoints removed, the machine runs on).
#
# The second hit needs CPU 1 to wake up again. The guest is NO_HZ_IDLE by default, as arm64
# Linux: an idle CPU stops its tick, and in hardlockup nothing else wakes CPU 1. So serve the
# guest with its periodic tick kept in idle (nohz=off: CPU 1 wakes every 10 ms):
#
#   node bin/kgdb-lab.js serve --append 'kgdb_lab.scenario=hardlockup irqchip.gicv3_pseudo_nmi=1 nohz=off' &
#   gdb-multiarch -batch -ex 'directory guest' -x gdb-scripts/break-continue-step.gdb guest/kgdb-lab-guest.elf
#
# Connects to 127.0.0.1:1234, or to the port in $kgdb_port (see attach-and-show-all-cpus.gdb).

set pagination off
set confirm off
set width 0
set remotetimeout 60
if $_isvoid($kgdb_port)
  set $kgdb_port = 1234
end
eval "target remote 127.0.0.1:%d", $kgdb_port

echo \n=== attached: every CPU rounded up\n
info threads

echo \n=== break default_idle_call (only the idle CPU runs it), continue\n
break default_idle_call
continue
info threads
bt

echo \n=== the busy CPUs' results before stepping (kgdb_lab_compute_result[0..3])\n
print/x kgdb_lab_compute_result[0]@4

echo \n=== stepi x3 on the master; the other CPUs stay where they are\n
stepi
x/i $pc
stepi
x/i $pc
stepi
x/i $pc
info threads
print/x kgdb_lab_compute_result[0]@4

echo \n=== continue to the next hit (CPU 1's next tick wakes it: nohz=off)\n
continue
info threads

echo \n=== delete the breakpoint and detach\n
delete
detach
