// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <sys/stat.h>
#include "kvmmod.h"
#include "util.h"

static const char *const impl_modules[] = {
	[YL_KVM_IMPL_UNKNOWN] = "unknown",
	[YL_KVM_IMPL_VMX] = "kvm_intel",
	[YL_KVM_IMPL_SVM] = "kvm_amd",
	[YL_KVM_IMPL_PVM] = "kvm_pvm",
};

const char *yl_kvm_impl_name(enum yl_kvm_impl impl)
{
	return (unsigned int)impl < ARRAY_SIZE(impl_modules) ?
	       impl_modules[impl] : impl_modules[0];
}

/*
 * Which vendor module is loaded, from SYS_MODULE/<name> (/sys/module).
 * KVM itself does not say: its API and statistics names are the same
 * for all three.  Two loaded at once leaves it unknown, as does none.
 */
enum yl_kvm_impl yl_kvm_impl_probe(const char *sys_module)
{
	enum yl_kvm_impl found = YL_KVM_IMPL_UNKNOWN;
	char path[512];
	struct stat st;
	unsigned int i;

	for (i = YL_KVM_IMPL_VMX; i < ARRAY_SIZE(impl_modules); i++) {
		snprintf(path, sizeof(path), "%s/%s", sys_module, impl_modules[i]);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (found != YL_KVM_IMPL_UNKNOWN)
			return YL_KVM_IMPL_UNKNOWN;
		found = (enum yl_kvm_impl)i;
	}
	return found;
}

