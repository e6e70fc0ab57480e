// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU thread: KVM_RUN, account the exit, dispatch it.  The hot path is
 * a switch and two counters; everything rare (console, reports, errors)
 * lives in its own function.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <yieldlab/abi.h>
#include "vm.h"


static void kick_handler(int sig)
{
	(void)sig;
}

/* SIGUSR1 only interrupts KVM_RUN. */
void yl_vcpu_signal_init(void)
{
	yl_kick_signal(SIGUSR1, kick_handler);
}

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "unknown",
	[KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io",
	[KVM_EXIT_HYPERCALL] = "hypercall",
	[KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	[KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_SET_TPR] = "set_tpr",
	[KVM_EXIT_TPR_ACCESS] = "tpr_access",
	[KVM_EXIT_NMI] = "nmi",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_SYSTEM_EVENT] = "system_event",
	[KVM_EXIT_IOAPIC_EOI] = "ioapic_eoi",
	[KVM_EXIT_X86_RDMSR] = "x86_rdmsr",
	[KVM_EXIT_X86_WRMSR] = "x86_wrmsr",
	[KVM_EXIT_DIRTY_RING_FULL] = "dirty_ring_full",
};

const char *yl_exit_reason_name(unsigned int reason)
{
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "other";
}

const char *yl_io_port_name(unsigned int c)
{
	static const char *const n[YL_IOP_NR] = {
		"console", "done", "panic", "fault", "bench", "coop", "other",
	};

	return c < YL_IOP_NR ? n[c] : "?";
}

const char *yl_vcpu_end_name(enum yl_vcpu_end end)
{
	switch (end) {
	case YL_END_NONE:
		return "none";
	case YL_END_DONE:
		return "done";
	case YL_END_PANIC:
		return "panic";
	case YL_END_FAULT:
		return "fault";
	case YL_END_UNHANDLED:
		return "unhandled_exit";
	case YL_END_STOPPED:
		return "stopped";
	case YL_END_HOST_ERROR:
		return "host_error";
	}
	return "?";
}

static void save_regs(struct yl_vcpu *v)
{
	v->regs_valid = !ioctl(v->fd, KVM_GET_REGS, &v->regs) &&
			!ioctl(v->fd, KVM_GET_SREGS, &v->sregs);
}

/* The run is over for everybody: this vCPU failed in a way that ends it. */
static enum yl_step end_all(struct yl_vcpu *v, enum yl_vcpu_end end)
{
	v->end = end;
	save_regs(v);
	yl_vm_stop_all(v->vm);
	return YL_STEP_LEAVE;
}

/*
 * A guest may print without end (172 295 lines in 2 s were seen): each
 * vCPU prints at most CON_RATE lines a second after a burst of CON_BURST,
 * a token bucket kept in nanoseconds of credit; the rest is counted.
 */
#define CON_RATE	20
#define CON_BURST	50
#define CON_LINE_NS	(1000000000ull / CON_RATE)

static void console_flush(struct yl_vcpu *v)
{
	uint64_t now;

	if (!v->con_len)
		return;
	now = yl_now_ns();
	if (!v->con_last_ns)
		v->con_tokens_ns = CON_BURST * CON_LINE_NS;
	else
		v->con_tokens_ns += now - v->con_last_ns;
	if (v->con_tokens_ns > CON_BURST * CON_LINE_NS)
		v->con_tokens_ns = CON_BURST * CON_LINE_NS;
	v->con_last_ns = now;
	if (v->con_tokens_ns >= CON_LINE_NS) {
		v->con_tokens_ns -= CON_LINE_NS;
		fprintf(stderr, "guest vcpu%u: %.*s\n", v->idx, (int)v->con_len, v->con);
	} else {
		v->con_dropped++;
	}
	v->con_len = 0;
}

static void console_close(struct yl_vcpu *v)
{
	console_flush(v);
	if (v->con_dropped)
		fprintf(stderr, "guest vcpu%u: %llu console lines not printed (at most %d a second after %d)\n",
			v->idx, (unsigned long long)v->con_dropped, CON_RATE, CON_BURST);
}

static void console_byte(struct yl_vcpu *v, uint8_t c)
{
	if (c == '\n') {
		console_flush(v);
		return;
	}
	/* Guest bytes are untrusted: no control sequences reach the tty. */
	v->con[v->con_len++] = isprint(c) ? (char)c : '?';
	if (v->con_len == sizeof(v->con))
		console_flush(v);
}

static const struct yl_vcpu_result *guest_record(struct yl_vcpu *v)
{
	return (const void *)(v->vm->mem + YL_VCPU_RESULT_GPA(v->idx));
}

static enum yl_step guest_panicked(struct yl_vcpu *v)
{
	char msg[YL_MSG_LEN];
	size_t i;

	memcpy(msg, guest_record(v)->msg, sizeof(msg));
	for (i = 0; i < sizeof(msg) - 1 && msg[i]; i++)
		if (!isprint((unsigned char)msg[i]))
			msg[i] = '?';
	msg[i] = 0;
	snprintf(v->detail, sizeof(v->detail), "guest panic: %s", msg);
	return end_all(v, YL_END_PANIC);
}

static const char *vector_name(uint64_t v)
{
	static const char *const n[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF",
		"CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "?", "#MF", "#AC",
		"#MC", "#XM", "#VE", "#CP",
	};

	return v < 32 && n[v] ? n[v] : "?";
}

static enum yl_step guest_faulted(struct yl_vcpu *v)
{
	struct yl_fault f;

	memcpy(&f, &guest_record(v)->fault, sizeof(f));
	snprintf(v->detail, sizeof(v->detail),
		 "guest fault: vector %" PRIu64 " (%s) error 0x%" PRIx64
		 " rip 0x%" PRIx64 " cr2 0x%" PRIx64 " rsp 0x%" PRIx64,
		 f.vector, vector_name(f.vector), f.error_code, f.rip, f.cr2,
		 f.rsp);
	return end_all(v, YL_END_FAULT);
}

static enum yl_step unhandled(struct yl_vcpu *v, const char *what)
{
	snprintf(v->detail, sizeof(v->detail), "%s", what);
	return end_all(v, YL_END_UNHANDLED);
}

/* yieldlab's paravirt calls (abi.h), for the coop scheduler. */
static enum yl_step coop_port(struct yl_vcpu *v, uint16_t port, uint32_t val)
{
	const struct yl_coop_calls *call = v->vm->coop_calls;

	if (port == YL_PORT_COOP_SPIN)
		call->spin(v->vm->coop, v, val);
	else if (port == YL_PORT_COOP_HALT)
		call->halt(v->vm->coop, v);
	else if (port == YL_PORT_COOP_KICK)
		call->kick(v->vm->coop, v, val);
	else if (call->ipi(v->vm->coop, v, val))
		return unhandled(v, "coop IPI call: a vector outside 32-255, or a target that is not another vCPU of this VM");
	return YL_STEP_EXIT;
}

static enum yl_step handle_port_out(struct yl_vcpu *v, uint16_t port,
				      uint32_t val, unsigned int size)
{
	switch (port) {
	case YL_PORT_CONSOLE:
		v->ex.io_port[YL_IOP_CONSOLE]++;
		console_byte(v, (uint8_t)val);
		return YL_STEP_EXIT;
	case YL_PORT_BENCH:
		v->ex.io_port[YL_IOP_BENCH]++;
		if (!v->bench_left)	/* run --workload exits: no count */
			return YL_STEP_EXIT;
		return --v->bench_left ? YL_STEP_EXIT : YL_STEP_LEAVE;
	case YL_PORT_DONE:
		v->ex.io_port[YL_IOP_DONE]++;
		v->done_status = val;
		v->end = YL_END_DONE;
		return YL_STEP_LEAVE;
	case YL_PORT_PANIC:
		v->ex.io_port[YL_IOP_PANIC]++;
		return guest_panicked(v);
	case YL_PORT_FAULT:
		v->ex.io_port[YL_IOP_FAULT]++;
		return guest_faulted(v);
	case YL_PORT_COOP_SPIN:
	case YL_PORT_COOP_HALT:
	case YL_PORT_COOP_KICK:
	case YL_PORT_COOP_IPI:
		if (!v->vm->coop)
			break;		/* host mode: not part of the contract */
		v->ex.io_port[YL_IOP_COOP]++;
		return coop_port(v, port, val);
	}
	(void)size;
	v->ex.io_port[YL_IOP_OTHER]++;
	snprintf(v->detail, sizeof(v->detail),
		 "port I/O out to unknown port 0x%x (size %u)", port, size);
	return end_all(v, YL_END_UNHANDLED);
}

static enum yl_step handle_io(struct yl_vcpu *v)
{
	struct kvm_run *r = v->run;
	unsigned int size = r->io.size;
	uint32_t val = 0;
	char what[128];

	if (r->io.direction != KVM_EXIT_IO_OUT || r->io.count != 1 ||
	    (size != 1 && size != 2 && size != 4) ||
	    r->io.data_offset > (uint64_t)v->vm->kvm->run_size - size) {
		/* (the sum data_offset + size wrapped: found by fuzz_exit) */
		v->ex.io_port[YL_IOP_OTHER]++;
		snprintf(what, sizeof(what),
			 "port I/O %s port 0x%x size %u count %u: the guest contract allows single OUTs only",
			 r->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 r->io.port, size, r->io.count);
		return unhandled(v, what);
	}
	memcpy(&val, (uint8_t *)r + r->io.data_offset, size);
	return handle_port_out(v, r->io.port, val, size);
}

static enum yl_step handle_rare(struct yl_vcpu *v)
{
	struct kvm_run *r = v->run;
	char what[256];

	switch (r->exit_reason) {
	case KVM_EXIT_MMIO:
		snprintf(what, sizeof(what),
			 "MMIO %s at 0x%llx len %u: outside guest RAM",
			 r->mmio.is_write ? "write" : "read",
			 (unsigned long long)r->mmio.phys_addr, r->mmio.len);
		break;
	case KVM_EXIT_SHUTDOWN:
		snprintf(what, sizeof(what),
			 "SHUTDOWN: triple fault (the exception handler itself faulted)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what),
			 "FAIL_ENTRY: hardware entry failure reason 0x%llx on cpu %u",
			 (unsigned long long)r->fail_entry.hardware_entry_failure_reason,
			 r->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "INTERNAL_ERROR: suberror %u",
			 r->internal.suberror);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(what, sizeof(what), "SYSTEM_EVENT type %u",
			 r->system_event.type);
		break;
	default:
		snprintf(what, sizeof(what), "unexpected exit reason %u (%s)",
			 r->exit_reason, yl_exit_reason_name(r->exit_reason));
	}
	return unhandled(v, what);
}

/* One exit, decoded from the kvm_run page: run on, or leave. */
enum yl_step yl_vcpu_dispatch(struct yl_vcpu *v)
{
	if (v->run->exit_reason == KVM_EXIT_IO)
		return handle_io(v);
	return handle_rare(v);
}

static void account(struct yl_vcpu *v, unsigned int reason, uint64_t t0)
{
	unsigned int r = reason < YL_NR_EXIT_REASONS ? reason : 0;

	v->ex.count[r]++;
	v->ex.cycles[r] += yl_rdtsc() - t0;
}

/*
 * After KVM_RUN returned r (errno e): the exit accounted and handled.
 * Both executors call it: host mode's thread per vCPU, coop's per pCPU.
 */
enum yl_step yl_vcpu_handle(struct yl_vcpu *v, int r, int e)
{
	uint64_t t0 = yl_rdtsc();
	unsigned int reason;
	enum yl_step step;

	if (r < 0) {
		if (e == EINTR || e == EAGAIN) {
			account(v, KVM_EXIT_INTR, t0);
			return YL_STEP_INTR;
		}
		snprintf(v->detail, sizeof(v->detail), "KVM_RUN: %s", strerror(e));
		end_all(v, YL_END_HOST_ERROR);
		return YL_STEP_ERROR;
	}
	reason = v->run->exit_reason;
	step = yl_vcpu_dispatch(v);
	account(v, reason, t0);
	return step;
}

/*
 * Host mode: runs until the guest reports done or something ends the
 * run.  Returns 0, or -1 when KVM_RUN itself failed.
 */
int yl_vcpu_loop(struct yl_vcpu *v)
{
	for (;;) {
		enum yl_step step;
		int r;

		if (__atomic_load_n(&v->vm->stop, __ATOMIC_ACQUIRE)) {
			if (v->end == YL_END_NONE)
				v->end = YL_END_STOPPED;
			return 0;
		}
		r = ioctl(v->fd, KVM_RUN, 0);
		step = yl_vcpu_handle(v, r, errno);
		if (step == YL_STEP_ERROR)
			return -1;
		if (step == YL_STEP_LEAVE)
			return 0;
	}
}

/* See struct yl_gate.  1: go on; 0: abandoned; -1: pass() failed. */
int yl_gate_pass(struct yl_gate *g, struct yl_err *err)
{
	int state;

	if (!g)
		return 1;
	pthread_mutex_lock(&g->lock);
	g->waiting++;
	pthread_cond_broadcast(&g->cond);
	while (!g->state)
		pthread_cond_wait(&g->cond, &g->lock);
	state = g->state;
	pthread_mutex_unlock(&g->lock);
	if (state < 0)
		return 0;
	if (g->pass && g->pass(g->arg, err))
		return -1;
	return 1;
}

/* False: do not run (abandoned, or pass() failed). */
static bool gate_pass(struct yl_vcpu *v)
{
	struct yl_err err;
	int r = yl_gate_pass(v->vm->gate, &err);

	if (r > 0)
		return true;
	if (!r) {
		v->end = YL_END_STOPPED;
		return false;
	}
	snprintf(v->detail, sizeof(v->detail), "%.300s", err.msg);
	end_all(v, YL_END_HOST_ERROR);
	return false;
}

/*
 * The vCPU is done: its KVM statistics are read, its console flushed,
 * and its VM counts it finished.  On whichever thread ran it last.
 */
void yl_vcpu_finish(struct yl_vcpu *v)
{
	struct yl_vm *vm = v->vm;
	struct yl_err err;
	uint64_t one = 1;

	if (v->ks_valid && yl_kstats_read(&v->ks, v->ks_after, &err))
		v->ks_valid = false;
	console_close(v);
	__atomic_add_fetch(&vm->finished, 1, __ATOMIC_ACQ_REL);
	if (write(vm->done_efd, &one, sizeof(one)) < 0)
		perror("eventfd");
}

/* The statistics a vCPU starts from, on the thread that will run it. */
void yl_vcpu_begin(struct yl_vcpu *v)
{
	struct yl_err err;

	v->ks_valid = !yl_kstats_read(&v->ks, v->ks_before, &err);
}

/* Host mode's vCPU thread. */
void *yl_vcpu_thread(void *arg)
{
	struct yl_vcpu *v = arg;
	struct yl_vm *vm = v->vm;
	char name[16];

	v->tid = gettid();
	snprintf(name, sizeof(name), "yl-vcpu%u", v->idx);
	pthread_setname_np(pthread_self(), name);
	if (gate_pass(v)) {
		v->hs_t0 = yl_now_ns();
		yl_hoststat_read(v->tid, &v->hs_before);
		yl_vcpu_begin(v);
		yl_vcpu_loop(v);
	}
	yl_hoststat_read(v->tid, &v->hs_after);
	v->hs_t1 = yl_now_ns();
	yl_vcpu_finish(v);
	if (vm->leave_gate)
		yl_gate_hold(vm->leave_gate);	/* blocked: runs no more */
	return NULL;
}
