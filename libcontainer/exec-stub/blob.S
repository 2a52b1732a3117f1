/* The exec stub's bytes inside husk (see main.c and ../exec-stub.c). */
	.section .rodata
	.balign 16
	.global husk_exec_stub_start
	.global husk_exec_stub_end
husk_exec_stub_start:
	.incbin STUB_BIN
husk_exec_stub_end:
	.section .note.GNU-stack, "", %progbits
