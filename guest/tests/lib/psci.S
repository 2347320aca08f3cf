/* PSCI calls through the HVC conduit (QEMU virt without EL2/EL3; DTB psci method = "hvc"). */
	.text
	.global	psci_call
psci_call:			// x0 = function ID, x1..x3 = arguments; x0 = result
	hvc	#0
	ret

	.global	psci_system_off
psci_system_off:
	mov	x0, #0x0008
	movk	x0, #0x8400, lsl #16
	hvc	#0
1:	wfi			// SYSTEM_OFF does not return; stay put if it somehow does
	b	1b
