/* The guest image, embedded so that `yieldlab run` needs no file. */
	.section .rodata
	.globl yl_guest_image
	.globl yl_guest_image_end
	.balign 64
yl_guest_image:
	.incbin YL_GUEST_BIN
yl_guest_image_end:
	.section .note.GNU-stack, "", @progbits
