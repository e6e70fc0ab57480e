// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab run`: validate everything, create the VM, run the vCPU threads
 * under a watchdog, and report.  Every signal whose default action ends
 * the process is taken through a signalfd by the main thread only, from
 * the first instruction of the command on, so it stops the run cleanly:
 * the host is put back, then the statistics measured so far are printed.
 * SIGPIPE is ignored (main.c): a closed pipe is an EPIPE, not a death.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <yieldlab/abi.h>
#include "vmm/report/report.h"
#include "vmm/host/knobs.h"
#include "lib/outfile.h"
#include "vmm/host/privs.h"
#include "vmm/hcprobe.h"
#include "run.h"
#include "lib/safeio.h"
#include "vmm/host/sandbox.h"
#include "vmm/sampler.h"
#include "vmm/coop/coop.h"

/*
 * The image is read whole and re-checked: the file may have changed since
 * yl_cli_check_host() looked at it (a FIFO or a link now: refused, no hang).
 */
int yl_load_image(const struct yl_config *cfg, struct yl_image *img,
		  struct yl_err *err)
{
	size_t n = 0;

	img->owned = NULL;
	if (!cfg->guest_path) {
		img->data = yl_guest_image;
		img->len = (size_t)(yl_guest_image_end - yl_guest_image);
		return 0;
	}
	img->owned = yl_read_regular(cfg->guest_path, YL_IMAGE_MAX_FILE, &n,
				     "--guest", err);
	if (!img->owned)
		return -1;
	if (!n) {
		free(img->owned);
		img->owned = NULL;
		return yl_usagef(err, "--guest %s: empty, allowed 1 to %llu bytes",
				 cfg->guest_path, (unsigned long long)YL_IMAGE_MAX_FILE);
	}
	img->data = img->owned;
	img->len = n;
	return 0;
}

/*
 * The catchable signals whose default action terminates (signal(7)), but
 * SIGUSR1/SIGUSR2, which kick vCPU threads out of KVM_RUN, and SIGPIPE,
 * which is ignored.
 */
static const int stop_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGALRM, SIGVTALRM, SIGPROF,
	SIGXCPU, SIGXFSZ, SIGPWR, SIGSTKFLT,
};

/* Blocks them for every thread to come; they arrive on the fd. */
int yl_signals_take(void)
{
	sigset_t set;
	unsigned int i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&set, stop_signals[i]);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	yl_vcpu_signal_init();
	yl_coop_signal_init();
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static bool all_finished(struct yl_vm *vms, unsigned int n)
{
	unsigned int k;

	if (n && vms[0].coop && !yl_coop_finished(vms[0].coop))
		return false;
	for (k = 0; k < n; k++)
		if (__atomic_load_n(&vms[k].finished, __ATOMIC_ACQUIRE) < vms[k].nr_vcpus)
			return false;
	return true;
}

static void stop_all(struct yl_vm *vms, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		yl_vm_stop_all(&vms[k]);
}

/* A run abandoned once its first @n VMs started: they stop and end. */
static void stop_and_join(struct yl_vm *vms, unsigned int n, struct yl_coop *coop)
{
	unsigned int k;

	stop_all(vms, n);
	for (k = 0; k < n; k++)
		yl_vm_join(&vms[k]);
	if (coop)
		yl_coop_join(coop);
}

/*
 * After a stop, until every vCPU thread has left its loop (they wait at
 * the leave gate then, blocked), or for 10 s.
 */
static void wait_finished(struct yl_vm *vms, unsigned int n)
{
	unsigned int tries = 10000;

	while (!all_finished(vms, n) && tries--)
		usleep(1000);
}

/*
 * What the report reads of the host, every vCPU thread finished and
 * holding still at the leave gate: samples, cgroups.
 */
static void host_results(struct yl_vm *vms, unsigned int n,
			 const struct yl_knobs *knobs, struct yl_sampler *sampler)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		vms[k].sampler = sampler->interval_ms ? sampler : NULL;
		vms[k].cg_valid = !yl_cg_usage_us(&knobs->cg, k, &vms[k].cg_usage_us);
		if (knobs->cg.on)
			yl_cg_vm_path(&knobs->cg, k, vms[k].cgroup, sizeof(vms[k].cgroup));
		vms[k].cg_weight = knobs->cg.weight[k];
	}
}

/*
 * Until every vCPU of every VM returned, the watchdog fired or a signal
 * came.  Each VM ends on its own: one whose guest finished (or failed)
 * does not stop the others, which go on sharing the pCPUs.
 */
static enum yl_run_stop wait_run(struct yl_vm *vms, unsigned int n, int sfd,
				 uint64_t deadline, int *signo)
{
	struct pollfd p[YL_MAX_VMS + 2];
	unsigned int k;

	while (!all_finished(vms, n)) {
		uint64_t now = yl_now_ns(), left, c;

		if (now >= deadline) {
			stop_all(vms, n);
			return YL_STOP_TIMEOUT;
		}
		p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (k = 0; k < n; k++)
			p[k + 1] = (struct pollfd){ .fd = vms[k].done_efd, .events = POLLIN };
		p[n + 1] = (struct pollfd){ .fd = yl_sandbox_efd(), .events = POLLIN };
		left = (deadline - now) / 1000000 + 1;
		if (poll(p, n + 2, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
			break;
		if (p[n + 1].revents & POLLIN) {
			stop_all(vms, n);
			return YL_STOP_SECCOMP;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				*signo = (int)si.ssi_signo;
			stop_all(vms, n);
			return YL_STOP_SIGNAL;
		}
		for (k = 0; k < n; k++) {
			if ((p[k + 1].revents & POLLIN) &&
			    read(vms[k].done_efd, &c, sizeof(c)) < 0)
				continue;
			/* A vCPU that ended its VM may have raced thread start-up. */
			if (__atomic_load_n(&vms[k].stop, __ATOMIC_ACQUIRE))
				yl_vm_stop_all(&vms[k]);
		}
	}
	return YL_STOP_NONE;
}

/*
 * The report of a run whose host settings are already back: the table on
 * stdout (a closed pipe there is one line on stderr, not a lost JSON),
 * errors on stderr, then the JSON, complete or absent.
 */
static int finish(struct yl_vm *vms, unsigned int n, const struct yl_privs *privs,
		  struct yl_outfile *json, enum yl_run_stop stop, int signo,
		  uint64_t wall_ns)
{
	struct yl_report *r = calloc(n, sizeof(*r));
	unsigned int k;
	int code;

	for (k = 0; r && k < n; k++)
		if (yl_report_build(&r[k], &vms[k], stop, signo, wall_ns))
			break;
	if (!r || k < n) {
		fprintf(stderr, "yieldlab: out of memory building the report\n");
		code = YL_EXIT_HOST;
		goto out;
	}
	yl_reports_warn_starved(r, n);
	if (!vms[0].cfg->quiet)
		yl_reports_print(r, n, stdout);
	if (fflush(stdout) || ferror(stdout))
		fprintf(stderr, "yieldlab: writing the report to stdout: %s\n",
			strerror(errno));
	for (k = 0; k < n; k++) {
		yl_report_errors(&r[k], stderr);
		if (vms[0].cfg->quiet)
			yl_warnings_print(&r[k].warn, "yieldlab: ", stderr);
	}
	code = yl_reports_exit_code(r, n);
	for (k = 0; k < n; k++)
		code = yl_warn_strict(&r[k].warn, vms[0].cfg->strict, code);
	if (json->f)
		yl_reports_json(r, n, privs, json->f);
	code = yl_json_commit(json, code);
out:
	for (k = 0; r && k < n; k++)
		yl_report_free(&r[k]);
	free(r);
	return code;
}

/*
 * --timeline: the executor's ring, written once the run is over, failed
 * runs included (their last events are what a user looks for).
 */
static const char *tl_outcome(int o)
{
	return yl_outcome_name((enum yl_outcome)o);
}

static int write_timeline(struct yl_outfile *o, const struct yl_coop *c, int code)
{
	struct yl_tl_names names;
	struct yl_err err;
	int host[YL_MAX_VCPUS];
	unsigned int i;

	if (!o->f || !c || !c->tl)
		return code;
	for (i = 0; i < c->nr_cpus; i++)
		host[i] = c->cpu[i].host_cpu;
	names = (struct yl_tl_names){
		.nr_cpus = c->nr_cpus, .host_cpu = host,
		.outcome = tl_outcome, .policy = c->pol->name,
		.preset = c->s->p.preset,
	};
	if (yl_tl_write(c->tl, &names, o->f)) {
		fprintf(stderr, "yieldlab: --timeline %s: write failed\n", o->path);
		return code ? code : YL_EXIT_HOST;
	}
	if (yl_outfile_commit(o, &err)) {
		yl_err_print(&err);
		return code ? code : YL_EXIT_HOST;
	}
	return code;
}

/*
 * Everything that can be checked without creating a VM, in that order;
 * on failure @err says what and its class (bad input or the host).
 */
int yl_prepare(struct yl_config *cfg, struct yl_kvm *kvm, struct yl_image *img,
	       struct yl_err *err)
{
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return yl_errf(err, "sched_getaffinity: %s", strerror(errno));
	if (yl_cli_check_host(cfg, &allowed, err) || yl_load_image(cfg, img, err))
		return -1;
	if (yl_kvm_open(kvm, err))
		goto out_img;
	if (yl_cli_check_kvm(cfg, kvm->max_vcpus, err) ||
	    yl_vm_check_knobs(cfg, kvm, err) || yl_sampler_probe(cfg, err) ||
	    yl_hc_check_run(cfg, kvm, err))
		goto out_kvm;
	return 0;
out_kvm:
	yl_kvm_close(kvm);
out_img:
	free(img->owned);
	img->owned = NULL;
	return -1;
}

static int pass_privs(const void *privs, struct yl_err *err)
{
	return yl_privs_lock_thread(privs, YL_THREAD_VCPU, err);
}

/*
 * Every vCPU thread waits at the gate: open the tracepoint counters on
 * their thread IDs while we still may, plan the capabilities to keep
 * (only what putting the host back needs, see yl_privs_plan()), and let
 * the threads go, each locking itself down (yl_privs_lock_thread()).
 * The main thread locks itself once the sampler thread exists, since its
 * filter allows no new thread.
 */
static int open_gate(struct yl_vm *vms, unsigned int n, struct yl_gate *gate,
		     struct yl_privs *privs, const struct yl_knobs *knobs,
		     const char *out_dir, const char *tl_dir, struct yl_err *err)
{
	struct yl_restore_paths r;
	unsigned int k, i;

	for (k = 0; k < n && !vms[k].coop; k++)	/* coop: no vCPU threads */
		for (i = 0; i < vms[k].nr_vcpus; i++) {
			if (yl_cg_place(&knobs->cg, k, vms[k].vcpus[i].tid, err))
				return -1;
			yl_tp_open(vms[k].tp, vms[k].vcpus[i].tid, &vms[k].vcpus[i].tp);
		}
	yl_restore_paths(&r, &(struct yl_priv_paths){ knobs->features_path,
			 knobs->state_dir, &knobs->cg, out_dir, tl_dir }, knobs->nr != 0);
	for (i = 0; i < knobs->nr_p; i++)	/* --host-param's files */
		r.p[r.n++] = yl_host_params[knobs->p[i].idx].path;
	if (yl_privs_plan(privs, r.p, r.n, err))
		return -1;
	gate->pass = pass_privs;
	gate->arg = privs;
	yl_gate_set(gate, 1);
	return 0;
}

/*
 * The state directory, where a run keeps its crash-safety record and
 * takes the lock that orders host changes between runs.  A run that
 * changes nothing on the host still replays dead runs' records when it
 * may (as root); an untrusted directory only stops a run that needs it.
 */
static int open_state(struct yl_knobs *knobs, const struct yl_config *cfg,
		      struct yl_err *err)
{
	bool need = cfg->nr_feats || cfg->nr_params || knobs->cg.on;

	if (!need && geteuid())
		return 0;
	if (!yl_knobs_open(knobs, need, err))
		return 0;
	if (need)
		return -1;
	fprintf(stderr, "yieldlab: warning: %s; killed runs' records not replayed\n",
		err->msg);
	return 0;
}

/*
 * Under the state directory's lock: replay killed runs' records, read
 * the originals, refuse what a live run holds, record, change.
 */
static int setup_host(struct yl_knobs *knobs, struct yl_config *cfg,
		      struct yl_err *err)
{
	int bad;

	/*
	 * What needs no lock first (features this kernel has, the cgroup
	 * parent): a run refused for them leaves no state directory behind.
	 * Under the lock it is checked again, with live runs' records.
	 */
	if (yl_knobs_check(knobs, cfg, err))
		return -1;
	if (open_state(knobs, cfg, err))
		return -1;
	yl_knobs_recover(knobs, stderr);
	bad = yl_knobs_check(knobs, cfg, err) || yl_knobs_apply(knobs, err);
	yl_knobs_unlock(knobs);
	return bad ? -1 : 0;
}

/* Puts the host back; a failure turns an ok run's exit code into 3. */
static int restore_host(struct yl_knobs *knobs, int code)
{
	if (yl_knobs_restore(knobs, stderr) && code == YL_EXIT_OK)
		code = YL_EXIT_HOST;
	yl_knobs_close(knobs);
	return code;
}

/*
 * Everything one run holds from its start to its end, so that setting up,
 * running and tearing down are three functions (as kvmtool's
 * kvm_cmd_run_init/work/exit) and what to undo is recorded, not implied
 * by the order of labels.
 */
struct run {
	struct yl_config *cfg;
	unsigned int n;			/* VMs */
	struct yl_vm vms[YL_MAX_VMS];
	unsigned int made;		/* VMs made, partly made included */
	struct yl_outfile json, timeline;
	struct yl_privs privs;
	struct yl_sampler sampler;
	struct yl_coop coop;
	struct yl_gate gate, leave;
	struct yl_tp tp;
	struct yl_knobs knobs;
	struct yl_image img;
	struct yl_kvm kvm;
	bool have_kvm;			/* kvm open, img loaded */
	uint64_t deadline;		/* the watchdog, from the run's start */
	int sfd;
};

/* The signalfd, the sandbox's handler, the output files: nothing on the host yet. */
static int init_outputs(struct run *r, struct yl_err *err)
{
	r->sfd = yl_signals_take();
	if (r->sfd < 0)
		return yl_errf(err, "signalfd: %s", strerror(errno));
	if (yl_sandbox_init(r->cfg->seccomp, (int)r->cfg->seccomp_probe, err))
		return -1;
	if (r->cfg->json_path && yl_outfile_open(&r->json, "--json", r->cfg->json_path, err))
		return -1;
	if (r->cfg->timeline_path &&
	    yl_outfile_open(&r->timeline, "--timeline", r->cfg->timeline_path, err))
		return -1;
	return 0;
}

/* Checks, KVM and the image, then the host's changes (knobs, cgroups). */
static int init_host(struct run *r, struct yl_err *err)
{
	struct yl_config *cfg = r->cfg;

	yl_privs_init(&r->privs);
	r->privs.main_unfiltered = cfg->cmd == YL_CMD_BENCH_HANDOFF;
	if (yl_cg_resolve(&r->knobs.cg, cfg, err) ||
	    yl_privs_check(cfg, &(struct yl_priv_paths){ r->knobs.features_path,
			   r->knobs.state_dir, &r->knobs.cg, NULL, NULL }, err) ||
	    yl_prepare(cfg, &r->kvm, &r->img, err))
		return -1;
	r->have_kvm = true;
	if (setup_host(&r->knobs, cfg, err))
		return -1;
	yl_kcredit_begin(&r->kvm.lag_credit);	/* with the run's switches set */
	return 0;
}

/* The VMs, and coop's executor over them; not past the watchdog. */
static int init_vms(struct run *r, struct yl_err *err)
{
	unsigned int k;

	for (r->made = 0; r->made < r->n; r->made++) {
		if (yl_now_ns() > r->deadline)
			return yl_errc(err, YL_EXIT_TIMEOUT, "the watchdog (--timeout %llu s) fired while VM %u of %u was being made",
				       (unsigned long long)yl_effective_timeout_s(r->cfg),
				       r->made, r->n);
		if (yl_vm_create(&r->vms[r->made], &r->kvm, r->cfg, r->img.data,
				 r->img.len, err)) {
			r->made++;		/* partly made: destroyed at exit */
			return -1;
		}
	}
	if (r->cfg->sched != YL_SCHED_COOP)
		return 0;
	if (yl_coop_create(&r->coop, r->vms, r->n, err))
		return -1;
	for (k = 0; k < r->n; k++) {
		r->vms[k].coop = &r->coop;
		r->vms[k].coop_calls = &yl_coop_calls;
	}
	return 0;
}

/* The gates and the tracepoint counters every vCPU thread will use. */
static void init_gates(struct run *r)
{
	const struct yl_config *cfg = r->cfg;
	unsigned int k;

	yl_gate_init(&r->gate);
	yl_gate_init(&r->leave);
	yl_tp_init(&r->tp, !cfg->exit_tp || cfg->sched == YL_SCHED_COOP);
	if (cfg->sched == YL_SCHED_COOP && cfg->exit_tp)	/* docs/coop.md */
		snprintf(r->tp.why, sizeof(r->tp.why), "coop: a pCPU thread runs many vCPUs; KVM's per-vCPU statistics count the exits");
	for (k = 0; k < r->n; k++) {
		r->vms[k].gate = &r->gate;
		r->vms[k].leave_gate = &r->leave;
		r->vms[k].tp = &r->tp;
	}
}

/*
 * The threads, held at the gate until every one is there; then the
 * sampler, the gate opened (each thread locks itself down passing it)
 * and the main thread locked down too.
 */
static int init_threads(struct run *r, struct yl_err *err)
{
	struct yl_coop *coop = r->cfg->sched == YL_SCHED_COOP ? &r->coop : NULL;
	unsigned int k;

	init_gates(r);
	for (k = 0; k < r->n; k++)
		if (yl_vm_start(&r->vms[k], err))
			break;
	if (k < r->n || (coop && yl_coop_start(coop, err))) {
		stop_and_join(r->vms, k, coop);	/* VM k cleaned up after itself */
		return -1;
	}
	yl_gate_wait_all(&r->gate, coop ? r->coop.nr_cpus : r->n * r->cfg->nr_vcpus);
	if (yl_sampler_init(&r->sampler, r->cfg, r->vms, r->n, err) ||
	    open_gate(r->vms, r->n, &r->gate, &r->privs, &r->knobs,
		      yl_outfile_dir(&r->json), yl_outfile_dir(&r->timeline), err) ||
	    yl_sampler_start(&r->sampler, err) || yl_privs_drop(&r->privs, err)) {
		stop_and_join(r->vms, r->n, coop);
		yl_sampler_free(&r->sampler);
		return -1;
	}
	return 0;
}

/*
 * Every terminating signal is blocked from the start (it arrives on the
 * signalfd) and host state changes only after every check passed (in
 * init_host()); run_exit() puts it back on every way out, after the
 * report was built in run_work() with the host already restored.
 */
static int run_init(struct run *r, struct yl_err *err)
{
	if (init_outputs(r, err) || init_host(r, err) || init_vms(r, err) ||
	    init_threads(r, err))
		return -1;
	return 0;
}

/* The run itself, until it ends; then its report, the host put back first. */
static int run_work(struct run *r, struct yl_run_result *res)
{
	struct yl_coop *coop = r->vms[0].coop;
	enum yl_run_stop stop;
	int code, restored, signo = 0;
	unsigned int k;
	uint64_t t0;

	if (coop)
		yl_coop_begin(coop);
	t0 = yl_now_ns();
	stop = wait_run(r->vms, r->n, r->sfd, r->deadline, &signo);
	wait_finished(r->vms, r->n);
	host_results(r->vms, r->n, &r->knobs, &r->sampler);
	for (k = 0; k < r->n; k++)
		yl_vm_join(&r->vms[k]);
	if (coop)
		yl_coop_join(coop);
	yl_sampler_stop(&r->sampler);
	yl_kcredit_end(&r->kvm.lag_credit);
	restored = restore_host(&r->knobs, YL_EXIT_OK);
	code = finish(r->vms, r->n, &r->privs, &r->json, stop, signo, yl_now_ns() - t0);
	code = write_timeline(&r->timeline, coop, code);
	if (code == YL_EXIT_OK)
		code = restored;
	code = yl_sandbox_exit_code(code);
	if (res && coop)
		yl_coop_handoffs(coop, &res->handoff);
	yl_sampler_free(&r->sampler);
	return code;
}

/* Whatever run_init() got to, undone; the host put back (again: idempotent). */
static int run_exit(struct run *r, int code)
{
	unsigned int k;

	for (k = 0; k < r->made; k++)
		yl_vm_destroy(&r->vms[k]);
	yl_coop_destroy(&r->coop);
	code = restore_host(&r->knobs, code);
	if (r->have_kvm) {
		yl_kvm_close(&r->kvm);
		free(r->img.owned);
	}
	yl_outfile_abort(&r->json);
	yl_outfile_abort(&r->timeline);
	if (r->sfd >= 0)
		close(r->sfd);
	return code;
}

int yl_run(struct yl_config *cfg, struct yl_run_result *res)
{
	struct run *r = calloc(1, sizeof(*r));
	struct yl_err err = { YL_EXIT_OK, "" };
	int code = YL_EXIT_OK;

	if (!r) {
		fprintf(stderr, "yieldlab: out of memory\n");
		return YL_EXIT_HOST;
	}
	r->cfg = cfg;
	r->n = cfg->nr_vms;
	r->sfd = -1;
	/* the watchdog counts from here: setting up 4096 vCPUs takes a while */
	r->deadline = yl_now_ns() + yl_effective_timeout_s(cfg) * 1000000000ull;
	yl_knobs_init(&r->knobs);
	if (run_init(r, &err)) {
		yl_err_print(&err);
		code = err.code;
	} else {
		code = run_work(r, res);
	}
	code = run_exit(r, code);
	free(r);
	return code;
}

int yl_cmd_run(struct yl_config *cfg)
{
	return yl_run(cfg, NULL);
}
