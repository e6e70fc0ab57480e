// SPDX-License-Identifier: GPL-2.0
/*
 * Guest boot: every vCPU arrives here in 64-bit mode, installs the exception
 * table, switches its local APIC to x2APIC mode, sets up the paravirt
 * backend and runs the workload named in the boot parameters.
 */
#include "guest.h"

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const uint64_t exc_stubs[32];
extern const char ipi_stub[];

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

struct yl_vcpu_result *vcpu_record(uint32_t idx)
{
	return (struct yl_vcpu_result *)(uintptr_t)YL_VCPU_RESULT_GPA(idx);
}

struct yl_summary *summary(void)
{
	return (struct yl_summary *)(uintptr_t)YL_SUMMARY_GPA;
}

uint32_t nr_vcpus(void)
{
	return ((const struct yl_boot_params *)(uintptr_t)YL_BOOT_GPA)->nr_vcpus;
}

void console_puts(const char *s)
{
	while (*s)
		outb(YL_PORT_CONSOLE, (uint8_t)*s++);
}

char *fmt_str(char *p, char *end, const char *s)
{
	while (*s && p < end - 1)
		*p++ = *s++;
	*p = 0;
	return p;
}

char *fmt_u64(char *p, char *end, uint64_t v)
{
	char tmp[21];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && p < end - 1)
		*p++ = tmp[--n];
	*p = 0;
	return p;
}

void guest_done(uint32_t status)
{
	for (;;)
		outl(YL_PORT_DONE, status);
}

void guest_panic(struct guest_cpu *gc, const char *msg)
{
	fmt_str(gc->rec->msg, gc->rec->msg + YL_MSG_LEN, msg);
	for (;;)
		outl(YL_PORT_PANIC, 0);
}

/* Called from exc_common with the stub's frame; never returns. */
void guest_exception(uint64_t *frame)
{
	/* The VMM put the vCPU index in GS base before entry. */
	uint32_t idx = (uint32_t)rdmsr(MSR_GS_BASE);
	struct yl_vcpu_result *rec;
	uint64_t cr2;

	if (idx >= YL_MAX_VCPUS)
		idx = 0;
	rec = vcpu_record(idx);
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	rec->fault.vector = frame[0];
	rec->fault.error_code = frame[1];
	rec->fault.rip = frame[2];
	rec->fault.cs = frame[3];
	rec->fault.rflags = frame[4];
	rec->fault.rsp = frame[5];
	rec->fault.cr2 = cr2;
	for (;;)
		outl(YL_PORT_FAULT, (uint32_t)frame[0]);
}

static void idt_set(unsigned int vec, uint64_t a)
{
	idt[vec].off_lo = (uint16_t)a;
	idt[vec].sel = YL_SEL_CODE64;
	idt[vec].ist = 0;
	idt[vec].type = 0x8e;	/* present, DPL0, 64-bit interrupt gate */
	idt[vec].off_mid = (uint16_t)(a >> 16);
	idt[vec].off_hi = (uint32_t)(a >> 32);
	idt[vec].zero = 0;
}

/*
 * Exceptions, and the IPI vector.  Every other vector stays not-present:
 * a stray interrupt raises #NP, which the exception path reports.
 */
static void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr;
	unsigned int i;

	/* Every vCPU writes the same values: racing stores are harmless. */
	for (i = 0; i < 32; i++)
		idt_set(i, exc_stubs[i]);
	idt_set(YL_IPI_VECTOR, (uint64_t)(uintptr_t)ipi_stub);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static uint32_t x2apic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	/* Software-enable the APIC (it accepts no interrupt otherwise). */
	wrmsr(MSR_X2APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	return (uint32_t)rdmsr(MSR_X2APIC_ID);
}

static int boot_params_ok(uint32_t idx, const struct yl_boot_params *bp)
{
	return bp->magic == YL_BOOT_MAGIC &&
	       bp->abi_version == YL_ABI_VERSION &&
	       bp->nr_vcpus && bp->nr_vcpus <= YL_MAX_VCPUS &&
	       idx < bp->nr_vcpus && bp->workload < YL_WL_NR &&
	       bp->lock < YL_LOCK_NR && bp->pv < YL_PV_NR &&
	       bp->ipi_via < YL_IPI_VIA_NR && bp->ipi_wait < YL_IPI_WAIT_NR &&
	       bp->ipi_yield < YL_IPI_YIELD_NR && bp->think_mode < YL_GMODE_NR &&
	       (bp->nr_vcpus == 1 || bp->ipi_targets < bp->nr_vcpus) &&
	       bp->ipi_every;
}

void guest_main(uint64_t idx, const struct yl_boot_params *bp)
{
	struct guest_cpu gc = {
		.idx = (uint32_t)idx,
		.bp = bp,
		.rec = vcpu_record(idx < YL_MAX_VCPUS ? (uint32_t)idx : 0),
	};

	idt_init();
	if (!boot_params_ok(gc.idx, bp))
		guest_panic(&gc, "boot parameters do not match this guest's ABI");
	gc.rec->apic_id = x2apic_enable();
	pv_init(&gc);
	pv_budget_init(&gc);
	ipi_init(&gc);
	WRITE_ONCE(gc.rec->state, YL_STATE_BOOTED);
	run_workload(&gc);
}
