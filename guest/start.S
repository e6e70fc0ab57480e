/*
 * Guest entry.  The VMM enters 64-bit mode directly with RSP at this vCPU's
 * stack top, RDI = vCPU index, RSI = boot parameters, GS base = vCPU index.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	call	guest_main
1:	cli
	hlt
	jmp	1b

/*
 * Exception stubs: make every frame look the same (error code, then vector
 * on top) and hand it to the C handler, which reports and never returns.
 */
	.text
.macro stub vec, has_err
	.globl exc_stub_\vec
exc_stub_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
.endm

exc_common:
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	guest_exception
1:	cli
	hlt
	jmp	1b

	stub 0,0;  stub 1,0;  stub 2,0;  stub 3,0;  stub 4,0;  stub 5,0
	stub 6,0;  stub 7,0;  stub 8,1;  stub 9,0;  stub 10,1; stub 11,1
	stub 12,1; stub 13,1; stub 14,1; stub 15,0; stub 16,0; stub 17,1
	stub 18,0; stub 19,0; stub 20,0; stub 21,1; stub 22,0; stub 23,0
	stub 24,0; stub 25,0; stub 26,0; stub 27,0; stub 28,0; stub 29,1
	stub 30,1; stub 31,0

	.section .rodata
	.globl exc_stubs
	.balign 8
exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exc_stub_\v
	.endr

/*
 * The IPI vector.  The handler is C, so save what the C ABI lets it
 * clobber.  The CPU aligned RSP to 16 before pushing its 5-word frame;
 * nine pushes make it 16-aligned again for the call.
 */
	.text
	.globl ipi_stub
ipi_stub:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	call	ipi_interrupt
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq
