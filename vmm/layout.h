/* SPDX-License-Identifier: GPL-2.0 */
/* Guest memory set-up for direct 64-bit entry: pure functions, unit tested. */
#ifndef YL_LAYOUT_H
#define YL_LAYOUT_H

#include <stdint.h>
#include <stddef.h>
#include <linux/kvm.h>

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

void yl_build_page_tables(uint8_t *mem);
void yl_build_gdt(uint8_t *mem);
int yl_translate(const uint8_t *mem, size_t mem_size, uint64_t va,
		 uint64_t *pa);
void yl_init_sregs(struct kvm_sregs *s, unsigned int vcpu_idx);
void yl_init_regs(struct kvm_regs *r, unsigned int vcpu_idx);

#endif
