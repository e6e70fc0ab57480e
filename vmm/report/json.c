// SPDX-License-Identifier: GPL-2.0
/* The report as a program reads it: docs/schema/run.json describes it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "out/json.h"
#include "out/rundoc.h"
#include "vmm/host/privs.h"
#include "report.h"

/* What this run is: one context for the document's writer (out/rundoc.h). */
struct run_doc {
	const struct yl_report *r;
	unsigned int n;
	const struct yl_privs *privs;
};

static void json_config(struct yj *j, const struct run_doc *d)
{
	const struct yl_config *c = d->r->vm->cfg;
	struct yl_doc_feat feats[YL_MAX_SCHED_FEATS];
	struct yl_doc_param params[YL_MAX_HOST_PARAMS];
	char cpus[256];
	unsigned int i;

	for (i = 0; i < c->nr_feats; i++)
		feats[i] = (struct yl_doc_feat){ c->feats[i].name, c->feats[i].on,
						 c->feats[i].orig };
	for (i = 0; i < c->nr_params; i++) {
		const struct yl_host_param *p = &yl_host_params[c->params[i].idx];

		params[i] = (struct yl_doc_param){ p->name, p->kind == YL_HP_BOOL,
						   c->params[i].val, c->params[i].orig };
	}
	yl_format_cpulist(&c->pcpus, cpus, sizeof(cpus));
	yl_doc_config(j, &(struct yl_doc_config){
		.sched = yl_sched_mode_name(c->sched),
		.vcpus = d->r->vm->nr_vcpus,
		.pcpus = cpus,
		.nr_pcpus = (uint64_t)CPU_COUNT(&c->pcpus),
		.workload = yl_workload_name(c->workload),
		.lock = yl_lock_name(c->lock),
		.pv = yl_pv_name(c->pv),
		.yield_to = yl_yield_to_name(yl_yield_to(c)),
		.cs_ns = c->cs_ns,
		.think_ns = c->think_ns,
		.think_mode = yl_guest_mode_name(c->think_mode),
		.duration_ms = c->duration_ms,
		.spin_threshold = c->spin_threshold,
		.spin_us = c->spin_threshold ? 0 : c->spin_us,
		.timeout_s = yl_effective_timeout_s(c),
		.pause_exits = yl_pause_exits_name(c->pause_exits),
		.ipi_wait = yl_ipi_wait_name(c->ipi_wait),
		.ipi_yield = yl_ipi_yield_name(yl_ipi_yield(c)),
		.ipi_targets = c->ipi_targets,
		.ipi_every = c->ipi_every,
		.seccomp = c->seccomp,
		.sample_ms = c->sample_ms,
		.run = true,
		.guest = c->guest_path ? c->guest_path : "(embedded)",
		.ipi_via = yl_ipi_path_name(c),
		.halt_poll_given = yl_given(c, YL_O_HALT_POLL_NS),
		.halt_poll_ns = c->halt_poll_ns,
		.feats = feats,
		.nr_feats = c->nr_feats,
		.params = params,
		.nr_params = c->nr_params,
		.cgroup_parent = c->cgroup_parent,
		.caps_at_start = d->privs ? d->privs->at_start : NULL,
		.caps_after_setup = d->privs ? d->privs->after_setup : NULL,
	}, NULL, NULL);
}

/* A host kernel of kernel/: its switch, knobs, and counters over the run. */
static void json_lag_credit(struct yj *j, const struct yl_kcredit *kc)
{
	unsigned int k;

	if (!kc->valid) {
		yj_null(j, "lag_credit");
		return;
	}
	yj_obj(j, "lag_credit");
	yj_bool(j, "feature", kc->feature);
	yj_obj(j, "knobs");
	for (k = 0; k < YL_KK_NR; k++)
		yj_u64(j, yl_kcredit_knobs[k], kc->knob[k]);
	yj_obj_end(j);
	yj_obj(j, "counters");
	for (k = 0; k < YL_CS_NR; k++)
		yj_u64(j, yl_credit_stat_names[k], kc->delta[k]);
	yj_obj_end(j);
	yj_obj_end(j);
}

/* The KVM half's switches as the run began (its counters are vCPU stats). */
static void json_ipi_filter(struct yj *j, const struct yl_kipi *ki)
{
	if (!ki->valid) {
		yj_null(j, "ipi_filter");
		return;
	}
	yj_obj(j, "ipi_filter");
	yj_bool(j, "filter", ki->filter);
	yj_bool(j, "relaxed_boost", ki->relaxed_boost);
	yj_u64(j, "window_ns", ki->window_ns);
	if (ki->pause_unfiltered < 0)
		yj_null(j, "pause_exit_unfiltered");
	else
		yj_bool(j, "pause_exit_unfiltered", ki->pause_unfiltered);
	yj_obj_end(j);
}

static void json_host(struct yj *j, const struct yl_report *r)
{
	struct utsname u;

	yj_obj(j, "host");
	if (!uname(&u)) {
		yj_str(j, "kernel", u.release);
		yj_str(j, "machine", u.machine);
	}
	yj_u64(j, "tsc_khz", r->vm->tsc_khz);
	yj_u64(j, "kvm_max_vcpus", r->vm->kvm->max_vcpus);
	yj_str(j, "kvm_module", yl_kvm_impl_name(r->vm->kvm->impl));
	json_lag_credit(j, &r->vm->kvm->lag_credit);
	json_ipi_filter(j, &r->vm->kvm->lag_credit.ipi);
	yj_obj_end(j);
}

static void json_guest_ipi(struct yj *j, const struct yl_report *r,
			   const struct yl_vcpu_result *g)
{
	yj_obj(j, "ipi");
	yj_u64(j, "ops", g->ipi_ops);
	yj_u64(j, "sent", g->ipi_sent);
	yj_u64(j, "received", g->ipi_received);
	yj_u64(j, "acked", g->ipi_acked);
	yj_u64(j, "interrupts", g->ipi_irqs);
	yj_u64(j, "icr_writes", g->ipi_icr_writes);
	yj_u64(j, "hypercalls", g->ipi_hypercalls);
	yj_u64(j, "hypercalls_short", g->ipi_hc_failed);
	yj_u64(j, "yields", g->ipi_yields);
	yj_u64(j, "rtt_sum_cycles", g->ipi_rtt_sum);
	yj_u64(j, "rtt_max_cycles", g->ipi_rtt_max);
	yj_dbl(j, "rtt_p50_ns_le", yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_rtt_hist, 0.5)));
	yj_dbl(j, "rtt_p99_ns_le", yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_rtt_hist, 0.99)));
	yj_dbl(j, "delivery_p50_ns_le", yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_lat_hist, 0.5)));
	yj_dbl(j, "delivery_p99_ns_le", yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_lat_hist, 0.99)));
	yl_json_hist(j, "rtt_hist_log2_cycles", g->ipi_rtt_hist);
	yl_json_hist(j, "delivery_hist_log2_cycles", g->ipi_lat_hist);
	yj_obj_end(j);
}

static void json_guest(struct yj *j, const struct yl_report *r, unsigned int i)
{
	const struct yl_vcpu_result *g = &r->g[i];

	yj_obj(j, "guest");
	yj_u64(j, "state", g->state);
	yj_u64(j, "apic_id", g->apic_id);
	yj_u64(j, "ops", g->ops);
	yj_u64(j, "spins", g->spins);
	yj_u64(j, "yields", g->yields);
	yj_u64(j, "yields_failed", g->yields_failed);
	yj_u64(j, "halts", g->halts);
	yj_u64(j, "kicks", g->kicks);
	yj_u64(j, "preempted_seen", g->preempted_seen);
	/* --spin-us as this vCPU's own spin loop counted it (pv_budget_init()) */
	yj_u64(j, "spin_pauses", g->spin_pauses);
	yj_u64(j, "lat_sum_cycles", g->lat_sum);
	yj_u64(j, "lat_max_cycles", g->lat_max);
	yj_dbl(j, "lat_avg_ns", g->ops ? yl_cycles_to_ns(r->vm, (double)g->lat_sum / (double)g->ops) : 0);
	yj_dbl(j, "lat_p50_ns_le", yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->lat_hist, 0.5)));
	yj_dbl(j, "lat_p99_ns_le", yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->lat_hist, 0.99)));
	yj_u64(j, "bench_exits", g->bench_exits);
	yl_json_hist(j, "lat_hist_log2_cycles", g->lat_hist);
	json_guest_ipi(j, r, g);
	yj_obj_end(j);
}

static void json_exits(struct yj *j, const struct yl_vcpu *v)
{
	unsigned int k;

	yj_obj(j, "exits");
	for (k = 0; k < YL_NR_EXIT_REASONS; k++) {
		if (!v->ex.count[k])
			continue;
		yj_obj(j, yl_exit_reason_name(k));
		yj_u64(j, "count", v->ex.count[k]);
		yj_dbl(j, "handling_ns", yl_cycles_to_ns(v->vm, (double)v->ex.cycles[k]));
		yj_obj_end(j);
	}
	yj_obj(j, "io_by_port");
	for (k = 0; k < YL_IOP_NR; k++)
		yj_u64(j, yl_io_port_name(k), v->ex.io_port[k]);
	yj_obj_end(j);
	yj_obj_end(j);
}

static void json_kstats(struct yj *j, const char *key, const struct yl_kstats *ks,
			const uint64_t *before, const uint64_t *after, bool valid)
{
	uint32_t i, k;

	if (!valid) {
		yj_null(j, key);
		return;
	}
	yj_obj(j, key);
	for (i = 0; i < ks->nr_desc; i++) {
		const struct yl_kstat_desc *d = &ks->desc[i];
		bool cum = yl_kstat_is_cumulative(d);

		if (d->size == 1) {
			yj_u64(j, d->name, cum ? after[d->value_idx] - before[d->value_idx]
					       : after[d->value_idx]);
			continue;
		}
		yj_arr(j, d->name);
		for (k = d->value_idx; k < d->value_idx + d->size; k++)
			yj_u64(j, NULL, cum ? after[k] - before[k] : after[k]);
		yj_arr_end(j);
	}
	yj_obj_end(j);
}

/* kvm:kvm_exit counts by reason, with the rest as "other"; null if none. */
static void json_tp(struct yj *j, const struct yl_vcpu *v)
{
	const struct yl_tp *tp = v->vm->tp;
	uint64_t named = 0;
	unsigned int k;

	if (!tp || !tp->ok || !v->tp.valid) {
		yj_null(j, "kvm_exit_reasons");
		return;
	}
	yj_obj(j, "kvm_exit_reasons");
	for (k = 0; k < tp->nr; k++) {
		yj_u64(j, tp->reasons[k].name, v->tp.n[k]);
		named += v->tp.n[k];
	}
	yj_u64(j, "other", v->tp.n[tp->nr] - named);
	yj_u64(j, "total", v->tp.n[tp->nr]);
	yj_obj_end(j);
}

static void json_hoststat(struct yj *j, const struct yl_vcpu *v)
{
	struct yl_hoststat d;

	yl_hoststat_delta(&v->hs_before, &v->hs_after, &d);
	yj_obj(j, "host_thread");
	yj_bool(j, "valid", d.valid);
	yj_u64(j, "tid", (uint64_t)v->tid);
	yj_u64(j, "run_ns", d.run_ns);
	yj_u64(j, "wait_ns", d.wait_ns);
	yj_u64(j, "slices", d.slices);
	yj_u64(j, "voluntary_ctxt_switches", d.vol_cs);
	yj_u64(j, "nonvoluntary_ctxt_switches", d.invol_cs);
	yj_obj_end(j);
}

static void json_vcpus(struct yj *j, const struct yl_report *r)
{
	unsigned int i;

	yj_arr(j, "vcpus");
	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];

		yj_obj(j, NULL);
		yj_u64(j, "index", i);
		yj_str(j, "end", yl_vcpu_end_name(v->end));
		yj_str(j, "detail", v->detail);
		yj_u64(j, "console_lines_dropped", v->con_dropped);
		json_guest(j, r, i);
		json_exits(j, v);
		json_kstats(j, "kvm", &v->ks, v->ks_before, v->ks_after, v->ks_valid);
		json_tp(j, v);
		json_hoststat(j, v);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

static const char *stopped_by(enum yl_run_stop stop)
{
	return stop == YL_STOP_TIMEOUT ? "watchdog" :
	       stop == YL_STOP_SIGNAL ? "signal" :
	       stop == YL_STOP_SECCOMP ? "seccomp" : "guest";
}

static void json_result(struct yj *j, const struct yl_report *r)
{
	yl_doc_result(j, &(struct yl_doc_result){
		.status = r->status,
		.exit_code = r->exit_code,
		.complete = r->complete,
		.stopped_by = stopped_by(r->stop),
		.wall_ms = (double)r->wall_ns / 1e6,
		.lock_phase_ms = r->phase_ms,
		.ops = r->ops,
		.ops_per_s = yl_rate(r, r->ops),
		.jain = r->ops_jain,
		.ops_min = r->ops_min,
		.ops_max = r->ops_max,
		.spins = r->spins,
		.yields = r->yields,
		.halts = r->halts,
		.kicks = r->kicks,
		.ipi_ops = r->ipi_ops,
		.ipi_ops_per_s = yl_rate(r, r->ipi_ops),
		.ipi_sent = r->ipi_sent,
		.ipi_received = r->ipi_received,
		.ipi_acked = r->ipi_acked,
		.ipi_yields = r->ipi_yields,
		.shared_counter = r->sum.shared_counter,
		.run = true,
		.ipi_irqs = r->ipi_irqs,
		.ipi_hypercalls = r->ipi_hypercalls,
		.guest_check_ok = r->sum.check_ok == 1,
	});
}

static void json_cgroup(struct yj *j, const struct yl_vm *vm)
{
	if (!vm->cgroup[0]) {
		yj_null(j, "cgroup");
		return;
	}
	yj_obj(j, "cgroup");
	yj_str(j, "path", vm->cgroup);
	yj_u64(j, "cpu_weight", vm->cg_weight ? vm->cg_weight : 100);
	if (vm->cg_valid)
		yj_u64(j, "usage_usec", vm->cg_usage_us);
	else
		yj_null(j, "usage_usec");
	yj_obj_end(j);
}

/* What one VM measured: the whole JSON of a single-VM run but config and host. */
static void json_vm_body(struct yj *j, const void *ctx, unsigned int vm, bool alone)
{
	const struct yl_report *r = &((const struct run_doc *)ctx)->r[vm];
	unsigned int k;

	(void)alone;
	json_result(j, r);
	yl_warnings_json(&r->warn, j);
	yj_obj(j, "checks");
	for (k = 0; k < YL_NR_CHECKS; k++)
		yl_doc_check(j, yl_checks[k].json, yl_check_at(r, k)->state,
			     yl_check_at(r, k)->text);
	yj_obj_end(j);
	json_cgroup(j, r->vm);
	yl_samples_json(j, r);
	yl_coop_json(j, r);
	json_vcpus(j, r);
	json_kstats(j, "vm_kvm", &r->vm->ks, r->vm->ks_before, r->vm->ks_after,
		    r->vm->ks_valid);
}

static void json_head(struct yj *j, const void *ctx)
{
	json_config(j, ctx);
	json_host(j, ((const struct run_doc *)ctx)->r);
}

static void json_combined(const void *ctx, struct yl_doc_combined *out)
{
	const struct run_doc *d = ctx;
	unsigned int k;

	out->status = yl_reports_status(d->r, d->n);
	out->exit_code = yl_reports_exit_code(d->r, d->n);
	for (k = 0; k < d->n; k++) {
		out->ops += d->r[k].ops;
		out->ipi_ops += d->r[k].ipi_ops;
		out->ops_per_s += yl_rate(&d->r[k], d->r[k].ops);
		out->ipi_ops_per_s += yl_rate(&d->r[k], d->r[k].ipi_ops);
	}
}

/* Several VMs: every VM's warnings at the top too, each naming its VM. */
static void json_after_combined(struct yj *j, const void *ctx)
{
	const struct run_doc *d = ctx;
	struct yl_warnings all = { 0 };
	unsigned int k, i;

	yl_coop_json_top(j, d->r);
	for (k = 0; k < d->n; k++)
		for (i = 0; i < d->r[k].warn.n; i++)
			yl_warn(&all, d->r[k].warn.w[i].id, "VM %u: %s", k,
				d->r[k].warn.w[i].text);
	yl_warnings_json(&all, j);
}

void yl_reports_json(const struct yl_report *r, unsigned int n,
		     const struct yl_privs *privs, FILE *f)
{
	const struct run_doc d = { .r = r, .n = n, .privs = privs };
	const struct yl_doc_ops ops = {
		.command = "run",
		.nr_vms = n,
		.head = json_head,
		.vm_body = json_vm_body,
		.combined = json_combined,
		.after_combined = json_after_combined,
	};
	struct yj j;

	yj_init(&j, f);
	yl_doc_write(&j, &ops, &d);
}
