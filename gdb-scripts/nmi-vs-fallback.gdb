# What the kgdb roundup reached, for comparing the pseudo-NMI roundup with the regular-IPI
# fallback on the same scenario. Run it once against each server:
#
#   node bin/kgdb-lab.js serve --icount                    (pseudo-NMI roundup, the default)
#   node bin/kgdb-lab.js serve --icount --roundup ipi      (the fallback)
#   gdb-multiarch -batch -ex 'directory guest' -x gdb-scripts/nmi-vs-fallback.gdb guest/kgdb-lab-guest.elf
#
# With pseudo-NMI every CPU is rounded up, including CPU 2 spinning in
# _raw_spin_lock_irqsave with IRQs off; with the fallback CPU 2 is "not rounded up (IRQs
# masked, timed out)", its registers <unavailable>, and the console says
# "KGDB: Timed out waiting for secondary CPUs." after the roundup timeout (1 s of machine time).
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

echo \n=== who was rounded up\n
info threads
echo \n=== how: roundup SGI taken as NMI or IRQ, PMR/PSTATE.I of each CPU, arrival times\n
monitor cpus
monitor events
echo \n=== the locked CPU (CPU 2, thread 3)\n
thread 3
print $pc
bt
echo \n=== every CPU, innermost 8 frames\n
thread apply all bt 8
detach
