// SPDX-License-Identifier: GPL-2.0
/*
 * KVM set-up with raw ioctls (Documentation/virt/kvm/api.rst).  Every
 * capability is checked before anything is created, so a host that cannot
 * run yieldlab says so in one line naming everything it lacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <yieldlab/abi.h>
#include "layout.h"
#include "vm.h"

#define KVM_API_VERSION_EXPECTED 12
/* Intel needs these three pages and one page outside guest RAM. */
#define YL_TSS_GPA		0xfffbd000ull
#define YL_IDENTITY_MAP_GPA	0xfffbc000ull

struct yl_cap {
	int cap;
	const char *name;
};

static const struct yl_cap required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ" },
	{ KVM_CAP_BINARY_STATS_FD, "KVM_CAP_BINARY_STATS_FD" },
};

static int check_caps(int fd, struct yl_err *err)
{
	char missing[400] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required_caps); i++) {
		if (ioctl(fd, KVM_CHECK_EXTENSION, required_caps[i].cap) > 0)
			continue;
		strncat(missing, missing[0] ? ", " : "",
			sizeof(missing) - strlen(missing) - 1);
		strncat(missing, required_caps[i].name,
			sizeof(missing) - strlen(missing) - 1);
	}
	if (missing[0])
		return yl_errf(err, "KVM lacks required capabilities: %s", missing);
	return 0;
}

int yl_kvm_open(struct yl_kvm *kvm, struct yl_err *err)
{
	struct stat st;
	int v;

	memset(kvm, 0, sizeof(*kvm));
	kvm->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm->fd < 0)
		return yl_errf(err, "cannot open /dev/kvm: %s (is KVM loaded and may this user use it?)",
			       strerror(errno));
	if (fstat(kvm->fd, &st) || !S_ISCHR(st.st_mode)) {
		yl_errf(err, "/dev/kvm is not a character device");
		goto fail;
	}
	v = ioctl(kvm->fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION_EXPECTED) {
		yl_errf(err, "KVM API version %d, yieldlab needs %d", v,
			KVM_API_VERSION_EXPECTED);
		goto fail;
	}
	if (check_caps(kvm->fd, err))
		goto fail;
	kvm->run_size = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->run_size < (int)sizeof(struct kvm_run)) {
		yl_errf(err, "KVM_GET_VCPU_MMAP_SIZE: %d", kvm->run_size);
		goto fail;
	}
	v = ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (v <= 0)
		v = ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	kvm->max_vcpus = v > 0 ? (unsigned int)v : 1;
	kvm->impl = yl_kvm_impl_probe("/sys/module");
	kvm->supported.hdr.nent = YL_CPUID_MAX_ENTRIES;
	if (ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, &kvm->supported)) {
		yl_errf(err, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(kvm->fd);
	kvm->fd = -1;
	return -1;
}

void yl_kvm_close(struct yl_kvm *kvm)
{
	if (kvm->fd >= 0)
		close(kvm->fd);
	kvm->fd = -1;
}

static int open_stats(int fd, int *stats_fd, struct yl_kstats *ks,
		      uint64_t **before, uint64_t **after, struct yl_err *err)
{
	*stats_fd = ioctl(fd, KVM_GET_STATS_FD, NULL);
	if (*stats_fd < 0)
		return yl_errf(err, "KVM_GET_STATS_FD: %s", strerror(errno));
	if (yl_kstats_open(ks, yl_pread_fd, stats_fd, err))
		return -1;
	*before = calloc(ks->nr_values + 1, sizeof(uint64_t));
	*after = calloc(ks->nr_values + 1, sizeof(uint64_t));
	if (!*before || !*after)
		return yl_errf(err, "out of memory");
	return 0;
}

static void write_boot_params(struct yl_vm *vm)
{
	const struct yl_config *c = vm->cfg;
	struct yl_boot_params *bp = (void *)(vm->mem + YL_BOOT_GPA);
	uint64_t khz = vm->tsc_khz;

	bp->magic = YL_BOOT_MAGIC;
	bp->abi_version = YL_ABI_VERSION;
	bp->nr_vcpus = vm->nr_vcpus;
	bp->workload = c->workload;
	bp->lock = c->lock;
	bp->pv = c->pv;
	bp->yield_to = yl_yield_to(c);
	bp->tsc_khz = khz;
	/* bench exits runs the guest for as long as it measures */
	bp->duration_cycles = c->cmd == YL_CMD_BENCH_EXITS ? 0 : c->duration_ms * khz;
	bp->cs_cycles = c->cs_ns * khz / 1000000;
	bp->think_cycles = c->think_ns * khz / 1000000;
	bp->spin_threshold = c->spin_threshold;
	bp->spin_cycles = c->spin_threshold ? 0 : c->spin_us * khz / 1000;
	bp->probe_hc = c->probe_hc;
	bp->bench_exits = 0;	/* the exits workload loops until stopped */
	bp->ipi_via = c->ipi_via;
	bp->ipi_wait = c->ipi_wait;
	bp->ipi_targets = c->ipi_targets;
	bp->ipi_every = c->ipi_every;
	bp->ipi_yield = yl_ipi_yield(c);
	bp->think_mode = c->think_mode;
	bp->sched = c->sched;
}

static int setup_memory(struct yl_vm *vm, const void *image, size_t len,
			struct yl_err *err)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = YL_MEM_SIZE,
	};

	if (len == 0 || len > YL_IMAGE_MAX_FILE)
		return yl_errf(err, "guest image of %zu bytes, allowed 1 to %llu",
			       len, (unsigned long long)YL_IMAGE_MAX_FILE);
	vm->mem = mmap(NULL, YL_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return yl_errf(err, "mmap guest memory: %s", strerror(errno));
	}
	yl_build_page_tables(vm->mem);
	yl_build_gdt(vm->mem);
	memcpy(vm->mem + YL_IMAGE_GPA, image, len);
	region.userspace_addr = (uint64_t)(uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return yl_errf(err, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	return 0;
}

static int vcpu_set_state(struct yl_vcpu *v, struct yl_err *err)
{
	struct yl_cpuid cpuid;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	/* With the in-kernel irqchip KVM's APIC id is the vCPU id. */
	if (yl_cpuid_for_vcpu(&v->vm->kvm->supported, &cpuid, v->idx, err))
		return -1;
	if (ioctl(v->fd, KVM_SET_CPUID2, &cpuid))
		return yl_errf(err, "vCPU %u: KVM_SET_CPUID2: %s", v->idx, strerror(errno));
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		return yl_errf(err, "vCPU %u: KVM_GET_SREGS: %s", v->idx, strerror(errno));
	yl_init_sregs(&sregs, v->idx);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs))
		return yl_errf(err, "vCPU %u: KVM_SET_SREGS: %s", v->idx, strerror(errno));
	yl_init_regs(&regs, v->idx);
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		return yl_errf(err, "vCPU %u: KVM_SET_REGS: %s", v->idx, strerror(errno));
	/* APs start waiting for INIT/SIPI; we enter them directly. */
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp))
		return yl_errf(err, "vCPU %u: KVM_SET_MP_STATE: %s", v->idx, strerror(errno));
	return 0;
}

static int create_vcpu(struct yl_vm *vm, unsigned int idx, struct yl_err *err)
{
	struct yl_vcpu *v = &vm->vcpus[idx];

	v->vm = vm;
	v->idx = idx;
	v->stats_fd = -1;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)idx);
	if (v->fd < 0)
		return yl_errf(err, "KVM_CREATE_VCPU %u: %s", idx, strerror(errno));
	v->run = mmap(NULL, (size_t)vm->kvm->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return yl_errf(err, "mmap kvm_run of vCPU %u: %s", idx, strerror(errno));
	}
	if (vcpu_set_state(v, err))
		return -1;
	return open_stats(v->fd, &v->stats_fd, &v->ks, &v->ks_before,
			  &v->ks_after, err);
}

static int read_tsc_khz(struct yl_vm *vm, struct yl_err *err)
{
	int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);

	if (khz <= 0)
		return yl_errf(err, "KVM_GET_TSC_KHZ: %s", khz < 0 ? strerror(errno) : "0 kHz");
	vm->tsc_khz = (uint64_t)khz;
	return 0;
}

/* The kvm module's pause-loop-exit window, or -1 if it cannot be read. */
static long ple_window(const char **param)
{
	static const char *const paths[] = {
		"/sys/module/kvm_amd/parameters/pause_filter_count",
		"/sys/module/kvm_intel/parameters/ple_gap",
	};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		FILE *f = fopen(paths[i], "r");
		long v;

		if (!f)
			continue;
		*param = paths[i];
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
		return v;
	}
	*param = "kvm_amd pause_filter_count / kvm_intel ple_gap";
	return -1;
}

/* The paravirt features a run will use, refused here rather than in the guest. */
static int check_pv_features(const struct yl_config *cfg,
			     const struct yl_kvm *kvm, struct yl_err *err)
{
	uint32_t have = yl_cpuid_pv_features(&kvm->supported);
	static const struct {
		unsigned int bit;
		const char *why;
	} need[] = {
		{ YL_KVM_FEATURE_STEAL_TIME, "--pv yield|halt" },
		{ YL_KVM_FEATURE_PV_SCHED_YIELD, "--pv yield" },
		{ YL_KVM_FEATURE_PV_UNHALT, "--pv halt" },
		{ YL_KVM_FEATURE_PV_SEND_IPI, "--ipi-via hypercall" },
	};
	uint32_t want = 0;
	unsigned int i;

	if (cfg->pv != YL_PV_NONE)
		want |= 1u << YL_KVM_FEATURE_STEAL_TIME;
	if (cfg->pv == YL_PV_YIELD)
		want |= 1u << YL_KVM_FEATURE_PV_SCHED_YIELD;
	if (cfg->pv == YL_PV_HALT)
		want |= 1u << YL_KVM_FEATURE_PV_UNHALT;
	if (yl_wl_has_ipis(cfg->workload) && cfg->ipi_via == YL_IPI_HYPERCALL)
		want |= 1u << YL_KVM_FEATURE_PV_SEND_IPI;
	for (i = 0; i < ARRAY_SIZE(need); i++)
		if ((want & ~have) & (1u << need[i].bit))
			return yl_errf(err, "%s: this KVM does not offer %s (KVM_GET_SUPPORTED_CPUID)",
				       need[i].why, yl_pv_feature_name(need[i].bit));
	return 0;
}

/* --pause-exits, --halt-poll-ns and PV features, checked before any VM exists. */
int yl_vm_check_knobs(const struct yl_config *cfg, const struct yl_kvm *kvm,
		      struct yl_err *err)
{
	const char *param;
	long w;
	int r;

	if (cfg->pause_exits == YL_PAUSE_EXITS_OFF) {
		r = ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_DISABLE_EXITS);
		if (r < 0 || !(r & KVM_X86_DISABLE_EXITS_PAUSE))
			return yl_errf(err, "--pause-exits off: this KVM cannot disable PAUSE exits (KVM_CAP_X86_DISABLE_EXITS = %d)",
				       r);
	}
	if (cfg->pause_exits == YL_PAUSE_EXITS_ON) {
		w = ple_window(&param);
		if (w <= 0)
			return yl_errf(err, "--pause-exits on: pause-loop exiting is off in this host's KVM (%s = %ld); allowed here: off",
				       param, w);
	}
	if (yl_given(cfg, YL_O_HALT_POLL_NS) &&
	    ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL) <= 0)
		return yl_errf(err, "--halt-poll-ns: this KVM has no per-VM halt polling (KVM_CAP_HALT_POLL)");
	return check_pv_features(cfg, kvm, err);
}

static int enable_cap(struct yl_vm *vm, uint32_t cap, uint64_t arg,
		      const char *what, struct yl_err *err)
{
	struct kvm_enable_cap ec = { .cap = cap, .args = { arg } };

	if (ioctl(vm->fd, KVM_ENABLE_CAP, &ec))
		return yl_errf(err, "%s: KVM_ENABLE_CAP: %s", what, strerror(errno));
	return 0;
}

/*
 * Coop VMs run without PAUSE exits where KVM can turn them off.  A
 * pause-loop exit is handled in the kernel: kvm_vcpu_on_spin() yields to
 * a vCPU that is "ready", which kvm_sched_out() makes only a vCPU whose
 * thread the host preempted inside KVM_RUN: never one coop has queued,
 * only an executor thread another host task displaced, which yield_to()
 * would then boost behind the policy's back (docs/coop.md).  Where KVM
 * cannot turn them off, the run goes on and says so (coop.pause_exits).
 * -1: the call failed.
 */
static int coop_pause_exits_off(struct yl_vm *vm)
{
	struct kvm_enable_cap ec = {
		.cap = KVM_CAP_X86_DISABLE_EXITS,
		.args = { KVM_X86_DISABLE_EXITS_PAUSE },
	};
	int r;

	if (vm->pause_exits_off)
		return 0;
	r = ioctl(vm->kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_DISABLE_EXITS);
	if (r <= 0 || !(r & KVM_X86_DISABLE_EXITS_PAUSE))
		return 0;
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &ec))
		return -1;
	vm->pause_exits_off = true;
	return 0;
}

/* Before the first vCPU: KVM refuses DISABLE_EXITS once one exists. */
static int apply_knobs(struct yl_vm *vm, struct yl_err *err)
{
	const struct yl_config *cfg = vm->cfg;

	if (cfg->pause_exits == YL_PAUSE_EXITS_OFF &&
	    enable_cap(vm, KVM_CAP_X86_DISABLE_EXITS, KVM_X86_DISABLE_EXITS_PAUSE,
		       "--pause-exits off", err))
		return -1;
	vm->pause_exits_off = cfg->pause_exits == YL_PAUSE_EXITS_OFF;
	if (cfg->sched == YL_SCHED_COOP && coop_pause_exits_off(vm))
		return yl_errf(err, "--sched coop: KVM_ENABLE_CAP(KVM_CAP_X86_DISABLE_EXITS): %s",
			       strerror(errno));
	if (yl_given(cfg, YL_O_HALT_POLL_NS) &&
	    enable_cap(vm, KVM_CAP_HALT_POLL, cfg->halt_poll_ns,
		       "--halt-poll-ns", err))
		return -1;
	return 0;
}

/*
 * KVM_CREATE_VM fails with EINTR whenever signal_pending() holds during it
 * (mm_take_all_locks(), under the MMU notifier's registration, gives up on
 * one), and that includes task work queued with TWA_SIGNAL: closing an
 * io_uring, as yl_sampler_probe() does just before, makes the kernel's
 * io_ring_exit_work() queue such work on the ring's task, later, from a
 * workqueue.  Nothing was created, so try again, as QEMU's kvm_init() does;
 * a bound in case a host never stops saying EINTR.
 */
static int create_vm_fd(int kvm_fd)
{
	int fd, tries = 0;

	do
		fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	while (fd < 0 && errno == EINTR && ++tries < 100);
	return fd;
}

int yl_vm_create(struct yl_vm *vm, struct yl_kvm *kvm,
		 const struct yl_config *cfg, const void *image, size_t len,
		 struct yl_err *err)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->kvm = kvm;
	vm->cfg = cfg;
	vm->nr_vcpus = cfg->nr_vcpus;
	vm->stats_fd = -1;
	vm->done_efd = eventfd(0, EFD_CLOEXEC);
	vm->fd = create_vm_fd(kvm->fd);
	if (vm->fd < 0)
		return yl_errf(err, "KVM_CREATE_VM: %s", strerror(errno));
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus || vm->done_efd < 0)
		return yl_errf(err, "out of memory");
	for (i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i].fd = vm->vcpus[i].stats_fd = -1;
		yl_tp_reset(&vm->vcpus[i].tp);	/* calloc's 0 is stdin's fd */
	}
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)YL_TSS_GPA))
		return yl_errf(err, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t a = YL_IDENTITY_MAP_GPA;

		if (ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &a))
			return yl_errf(err, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	}
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0))
		return yl_errf(err, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	if (apply_knobs(vm, err) || setup_memory(vm, image, len, err))
		return -1;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (create_vcpu(vm, i, err))
			return -1;
	if (read_tsc_khz(vm, err))
		return -1;
	write_boot_params(vm);
	return open_stats(vm->fd, &vm->stats_fd, &vm->ks, &vm->ks_before,
			  &vm->ks_after, err);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void yl_vm_destroy(struct yl_vm *vm)
{
	unsigned int i;

	for (i = 0; vm->vcpus && i < vm->nr_vcpus; i++) {
		struct yl_vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, (size_t)vm->kvm->run_size);
		yl_kstats_close(&v->ks);
		free(v->ks_before);
		free(v->ks_after);
		close_fd(&v->stats_fd);
		close_fd(&v->fd);
		yl_tp_close(&v->tp);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	yl_kstats_close(&vm->ks);
	free(vm->ks_before);
	free(vm->ks_after);
	close_fd(&vm->stats_fd);
	close_fd(&vm->done_efd);
	if (vm->mem)
		munmap(vm->mem, YL_MEM_SIZE);
	vm->mem = NULL;
	close_fd(&vm->fd);
}

int yl_vm_start(struct yl_vm *vm, struct yl_err *err)
{
	struct yl_err e2;
	pthread_attr_t attr;
	unsigned int i;
	int r;

	if (yl_kstats_read(&vm->ks, vm->ks_before, &e2) == 0)
		vm->ks_valid = true;
	if (vm->coop) {		/* coop's executor runs the vCPUs */
		for (i = 0; i < vm->nr_vcpus; i++)
			yl_vcpu_begin(&vm->vcpus[i]);
		return 0;
	}
	pthread_attr_init(&attr);
	r = pthread_attr_setaffinity_np(&attr, sizeof(cpu_set_t),
					&vm->cfg->pcpus);
	for (i = 0; !r && i < vm->nr_vcpus; i++) {
		r = pthread_create(&vm->vcpus[i].thread, &attr, yl_vcpu_thread,
				   &vm->vcpus[i]);
		if (!r)
			__atomic_store_n(&vm->vcpus[i].started, true, __ATOMIC_RELEASE);
	}
	pthread_attr_destroy(&attr);
	if (r) {
		yl_vm_stop_all(vm);
		yl_vm_join(vm);
		return yl_errf(err, "starting vCPU threads: %s", strerror(r));
	}
	return 0;
}

/*
 * Race-free stop (api.rst, "immediate_exit"): a thread about to enter
 * KVM_RUN sees immediate_exit and returns at once; one inside KVM_RUN is
 * kicked out by the signal.  stop is checked between exits.
 */
void yl_vm_stop_all(struct yl_vm *vm)
{
	unsigned int i;

	__atomic_store_n(&vm->stop, 1, __ATOMIC_SEQ_CST);
	if (vm->gate)
		yl_gate_set(vm->gate, -1);
	if (vm->coop)
		vm->coop_calls->stop(vm->coop);
	for (i = 0; vm->vcpus && i < vm->nr_vcpus; i++) {
		struct yl_vcpu *v = &vm->vcpus[i];

		if (!__atomic_load_n(&v->started, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, SIGUSR1);
	}
}

void yl_gate_init(struct yl_gate *g)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

/* Until n threads reached the gate. */
void yl_gate_wait_all(struct yl_gate *g, unsigned int n)
{
	pthread_mutex_lock(&g->lock);
	while (g->waiting < n)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

/* Open it (1), or let the threads leave without running (-1); once. */
void yl_gate_set(struct yl_gate *g, int state)
{
	pthread_mutex_lock(&g->lock);
	if (!g->state)
		g->state = state;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Until the gate is opened or abandoned; nothing counted, nothing run. */
void yl_gate_hold(struct yl_gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->state)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void yl_vm_join(struct yl_vm *vm)
{
	struct yl_err e2;
	unsigned int i;

	if (vm->leave_gate)
		yl_gate_set(vm->leave_gate, 1);
	for (i = 0; vm->vcpus && i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started) {
			pthread_join(vm->vcpus[i].thread, NULL);
			vm->vcpus[i].started = false;
			if (vm->tp)
				yl_tp_read(vm->tp, &vm->vcpus[i].tp);
		}
	if (vm->ks_valid && yl_kstats_read(&vm->ks, vm->ks_after, &e2))
		vm->ks_valid = false;
}
