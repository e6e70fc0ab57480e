/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_KVMMOD_H
#define YL_KVMMOD_H

/*
 * The vendor module behind /dev/kvm.  It decides what some statistics
 * mean: kvm_pvm (software virtualization without VMX or SVM) emulates
 * port I/O in its instruction emulator and leaves io_exits at 0.
 */
enum yl_kvm_impl {
	YL_KVM_IMPL_UNKNOWN,	/* none of the three, or more than one loaded */
	YL_KVM_IMPL_VMX,	/* kvm_intel */
	YL_KVM_IMPL_SVM,	/* kvm_amd */
	YL_KVM_IMPL_PVM,	/* kvm_pvm */
};

enum yl_kvm_impl yl_kvm_impl_probe(const char *sys_module);
const char *yl_kvm_impl_name(enum yl_kvm_impl impl);

#endif
