// SPDX-License-Identifier: GPL-2.0
/*
 * Identity-mapped page tables, a flat GDT and the register state that
 * enters the guest directly in 64-bit mode, as the SDM's "switching to
 * IA-32e mode" leaves it: CR0.PG|PE, CR4.PAE, EFER.LME|LMA, CS.L.
 */
#include <string.h>
#include <yieldlab/abi.h>
#include "layout.h"

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

#define GDT_CODE64	0x00af9a000000ffffull	/* P, DPL0, code RX, L, G */
#define GDT_DATA	0x00cf92000000ffffull	/* P, DPL0, data RW, D/B, G */

static uint64_t *table(uint8_t *mem, uint64_t gpa)
{
	return (uint64_t *)(mem + gpa);
}

/*
 * [0, 2 MiB) in 4 KiB pages with page 0 not present (NULL faults);
 * [2 MiB, YL_MEM_SIZE) in 2 MiB pages; nothing else.
 */
void yl_build_page_tables(uint8_t *mem)
{
	uint64_t *pml4 = table(mem, YL_PML4_GPA);
	uint64_t *pdpt = table(mem, YL_PDPT_GPA);
	uint64_t *pd = table(mem, YL_PD_GPA);
	uint64_t *pt = table(mem, YL_PT_GPA);
	uint64_t a;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pd, 0, 4096);
	memset(pt, 0, 4096);
	pml4[0] = YL_PDPT_GPA | PTE_P | PTE_RW;
	pdpt[0] = YL_PD_GPA | PTE_P | PTE_RW;
	pd[0] = YL_PT_GPA | PTE_P | PTE_RW;
	for (a = 4096; a < 0x200000; a += 4096)
		pt[a >> 12] = a | PTE_P | PTE_RW;
	for (a = 0x200000; a < YL_MEM_SIZE; a += 0x200000)
		pd[a >> 21] = a | PTE_P | PTE_RW | PTE_PS;
}

void yl_build_gdt(uint8_t *mem)
{
	uint64_t *gdt = table(mem, YL_GDT_GPA);

	gdt[0] = 0;
	gdt[YL_SEL_CODE64 >> 3] = GDT_CODE64;
	gdt[YL_SEL_DATA >> 3] = GDT_DATA;
}

/* Walks the tables as the MMU would; -1 where the walk hits "not present". */
int yl_translate(const uint8_t *mem, size_t mem_size, uint64_t va,
		 uint64_t *pa)
{
	static const int shift[4] = { 39, 30, 21, 12 };
	uint64_t base = YL_PML4_GPA;
	int level;

	if ((va >> 47) != 0 && (va >> 47) != 0x1ffff)
		return -1;	/* non-canonical */
	for (level = 0; level < 4; level++) {
		uint64_t idx = (va >> shift[level]) & 511, e;

		if (base + idx * 8 + 8 > mem_size)
			return -1;
		memcpy(&e, mem + base + idx * 8, 8);
		if (!(e & PTE_P))
			return -1;
		if (level == 2 && (e & PTE_PS)) {
			*pa = (e & PTE_ADDR_MASK & ~0x1fffffull) |
			      (va & 0x1fffff);
			return 0;
		}
		base = e & PTE_ADDR_MASK;
	}
	*pa = base | (va & 0xfff);
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->s = 1;
	s->g = 1;
}

void yl_init_sregs(struct kvm_sregs *s, unsigned int vcpu_idx)
{
	flat_segment(&s->cs, YL_SEL_CODE64, 11);	/* code, RX, accessed */
	s->cs.l = 1;
	flat_segment(&s->ds, YL_SEL_DATA, 3);		/* data, RW, accessed */
	s->ds.db = 1;
	s->es = s->ds;
	s->fs = s->ds;
	s->ss = s->ds;
	s->gs = s->ds;
	/* The exception handler finds its vCPU index here. */
	s->gs.base = vcpu_idx;

	s->gdt.base = YL_GDT_GPA;
	s->gdt.limit = 3 * 8 - 1;
	s->cr3 = YL_PML4_GPA;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->efer = EFER_LME | EFER_LMA;
}

void yl_init_regs(struct kvm_regs *r, unsigned int vcpu_idx)
{
	memset(r, 0, sizeof(*r));
	r->rip = YL_IMAGE_GPA;
	r->rsp = YL_STACK_GPA + (uint64_t)(vcpu_idx + 1) * YL_STACK_SIZE;
	r->rdi = vcpu_idx;
	r->rsi = YL_BOOT_GPA;
	r->rflags = 0x2;
}
