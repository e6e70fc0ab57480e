// SPDX-License-Identifier: GPL-2.0
/*
 * A simulation's results in run's JSON schema (docs/schema/run.json,
 * "mode": "sim"), so compare, merge and every reader of run JSON take it
 * unchanged, and a short text report.  Part of the sim command, above the
 * engine: it names things with the CLI's names (cli/cli.h), one table each.
 * Times are simulated ns; the guest's "cycles" are ns (tsc_khz 1000000).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "out/json.h"
#include "out/rundoc.h"
#include "out/schedjson.h"
#include "simcmd.h"
#include "lib/util.h"
#include "out/warn.h"

#define SIM_TSC_KHZ	1000000u	/* one cycle a ns */

struct vm_sum {
	uint64_t ops, spins, yields, halts, kicks, min, max;
	uint64_t ipi_ops, ipi_sent, ipi_received, ipi_acked, ipi_yields;
	uint64_t hints, handoffs, service;
	uint64_t outcomes[YL_OUT_NR];
	double sq;
};

/* The counts of vCPUs first..first + n - 1 (all VMs' are consecutive). */
static void sum_of(const struct yl_sim *s, unsigned int first, unsigned int n,
		   struct vm_sum *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->min = UINT64_MAX;
	for (i = first; i < first + n; i++) {
		const struct yl_sim_vstat *v = yl_sim_vstat(s, i);

		m->ops += v->ops;
		m->sq += (double)v->ops * (double)v->ops;
		m->min = v->ops < m->min ? v->ops : m->min;
		m->max = v->ops > m->max ? v->ops : m->max;
		m->spins += v->spins;
		m->yields += v->yields;
		m->halts += v->halts;
		m->kicks += v->kicks;
		m->ipi_ops += v->ipi_ops;
		m->ipi_sent += v->ipi_sent;
		m->ipi_received += v->ipi_received;
		m->ipi_acked += v->ipi_acked;
		m->ipi_yields += v->ipi_yields;
		m->hints += v->hints;
		m->handoffs += v->handoffs;
		for (unsigned int k = 0; k < YL_OUT_NR; k++)
			m->outcomes[k] += v->outcomes[k];
		m->service += v->service_ns;
	}
}

static void sum_vm(const struct yl_sim *s, unsigned int vm, struct vm_sum *m)
{
	unsigned int n = yl_sim_config_of(s)->vcpus;

	sum_of(s, vm * n, n, m);
}

static void sum_all(const struct yl_sim *s, struct vm_sum *all)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);

	sum_of(s, 0, c->nr_vms * c->vcpus, all);
}

static double secs(const struct yl_sim *s)
{
	return (double)yl_sim_config_of(s)->duration_ns / 1e9;
}

/* What this simulation is: one context for the document's writer. */
struct sim_doc {
	const struct yl_sim *s;
	const struct yl_simcmd *sc;
	const struct vm_sum *all;
};

/* The simulator's own: seed, distribution, placement, costs. */
static void json_config_sim(struct yj *j, const void *ctx)
{
	const struct sim_doc *d = ctx;
	const struct yl_sim_config *c = yl_sim_config_of(d->s);
	char seed[32];
	unsigned int k;

	yj_obj(j, "sim");
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)c->seed);
	yj_str(j, "seed", seed);	/* a string: exact in every JSON reader */
	yj_str(j, "dist", yl_sim_dist_name(c->dist));
	yj_str(j, "placement", yl_sim_placement_name(c->placement));
	yj_obj(j, "cost_ns");
	for (k = 0; k < YL_COST_NR; k++)
		yj_u64(j, yl_sim_costs[k].name, c->cost[k]);
	yj_obj_end(j);
	yj_arr(j, "calibrated_from");
	for (k = 0; k < d->sc->nr_calib; k++)
		yj_str(j, NULL, d->sc->calib[k]);
	yj_arr_end(j);
	yj_obj_end(j);
}

static void json_config(struct yj *j, const struct sim_doc *d)
{
	const struct yl_sim_config *c = yl_sim_config_of(d->s);
	char pcpus[32];

	snprintf(pcpus, sizeof(pcpus), c->nr_cpus > 1 ? "0-%u" : "0",
		 c->nr_cpus - 1);
	yl_doc_config(j, &(struct yl_doc_config){
		.sched = yl_sched_mode_name(c->sched),
		.vcpus = c->vcpus,
		.pcpus = pcpus,
		.nr_pcpus = c->nr_cpus,
		.workload = yl_workload_name(c->workload),
		.lock = yl_lock_name(c->lock),
		.pv = yl_pv_name(c->pv),
		.yield_to = yl_yield_to_name(c->yield_to),
		.cs_ns = c->cs_ns,
		.think_ns = c->think_ns,
		.think_mode = yl_guest_mode_name(c->think_mode),
		.duration_ms = c->duration_ns / 1000000,
		.spin_threshold = c->spin_threshold,
		.spin_us = c->spin_ns / 1000,
		.timeout_s = 1,
		.pause_exits = c->sched == YL_SCHED_HOST && c->pause_exits ? "on" : "off",
		.ipi_wait = yl_ipi_wait_name(c->ipi_wait),
		.ipi_yield = yl_ipi_yield_name(c->ipi_yield),
		.ipi_targets = c->ipi_targets,
		.ipi_every = c->ipi_every,
	}, json_config_sim, d);
}

static void json_host(struct yj *j)
{
	yj_obj(j, "host");
	yj_str(j, "kernel", "simulated");
	yj_u64(j, "tsc_khz", SIM_TSC_KHZ);
	yj_str(j, "kvm_module", "sim");
	yj_obj_end(j);
}

static void json_result(struct yj *j, const struct yl_sim *s,
			const struct vm_sum *m, bool ok)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);

	yl_doc_result(j, &(struct yl_doc_result){
		.status = ok ? "ok" : "check_failed",
		.exit_code = ok ? YL_EXIT_OK : YL_EXIT_CHECK,
		.complete = true,
		.stopped_by = "duration",
		.wall_ms = (double)c->duration_ns / 1e6,
		.lock_phase_ms = (double)c->duration_ns / 1e6,
		.ops = m->ops,
		.ops_per_s = (double)m->ops / secs(s),
		.jain = yl_jain((double)m->ops, m->sq, c->vcpus),
		.ops_min = m->min,
		.ops_max = m->max,
		.spins = m->spins,
		.yields = m->yields,
		.halts = m->halts,
		.kicks = m->kicks,
		.ipi_ops = m->ipi_ops,
		.ipi_ops_per_s = (double)m->ipi_ops / secs(s),
		.ipi_sent = m->ipi_sent,
		.ipi_received = m->ipi_received,
		.ipi_acked = m->ipi_acked,
		.ipi_yields = m->ipi_yields,
		.shared_counter = m->ops,
	});
}

/* Run's checks: the simulator's invariants where they mean the same. */
static void json_checks(struct yj *j, const struct yl_sim *s,
			const struct vm_sum *m)
{
	static const char *const na[] = {
		"io_exits", "tracepoint_io_exits", "directed_yield", "kernel_yields", "hypercalls",
		"halt_exits", "cgroup_usage", "samples",
	};
	const char *fail = yl_sim_failure(s);
	char d[256];
	unsigned int k;

	yj_obj(j, "checks");
	snprintf(d, sizeof(d), "at most %llu vCPU in a critical section; counter = sum of ops = %llu",
		 (unsigned long long)yl_sim_max_in_cs(s), (unsigned long long)m->ops);
	yl_doc_check(j, "mutual_exclusion", !fail, fail ? fail : d);
	snprintf(d, sizeof(d), "sent %llu >= received %llu >= acked %llu (calls in flight at the end)",
		 (unsigned long long)m->ipi_sent, (unsigned long long)m->ipi_received,
		 (unsigned long long)m->ipi_acked);
	yl_doc_check(j, "ipi", m->ipi_sent >= m->ipi_received && m->ipi_received >= m->ipi_acked, d);
	for (k = 0; k < ARRAY_SIZE(na); k++)
		yl_doc_check(j, na[k], -1, "not simulated");
	yl_doc_check(j, "coop_one_per_pcpu", !fail, fail ? fail :
		     "one vCPU per CPU at every dispatch; CPU time adds up to CPUs x duration");
	yj_obj_end(j);
}

static void json_guest(struct yj *j, const struct yl_sim_vstat *v)
{
	yj_obj(j, "guest");
	yj_u64(j, "ops", v->ops);
	yj_u64(j, "spins", v->spins);
	yj_u64(j, "yields", v->yields);
	yj_u64(j, "halts", v->halts);
	yj_u64(j, "kicks", v->kicks);
	yj_u64(j, "lat_sum_cycles", v->lat_sum);
	yj_u64(j, "lat_max_cycles", v->lat_max);
	yj_dbl(j, "lat_avg_ns", v->ops ? (double)v->lat_sum / (double)v->ops : 0);
	yj_dbl(j, "lat_p50_ns_le", (double)yl_hist_quantile(v->lat_hist, 0.5));
	yj_dbl(j, "lat_p99_ns_le", (double)yl_hist_quantile(v->lat_hist, 0.99));
	yl_json_hist(j, "lat_hist_log2_cycles", v->lat_hist);
	yj_obj(j, "ipi");
	yj_u64(j, "ops", v->ipi_ops);
	yj_u64(j, "sent", v->ipi_sent);
	yj_u64(j, "received", v->ipi_received);
	yj_u64(j, "acked", v->ipi_acked);
	yj_u64(j, "yields", v->ipi_yields);
	yj_dbl(j, "rtt_p50_ns_le", (double)yl_hist_quantile(v->ipi_rtt_hist, 0.5));
	yj_dbl(j, "rtt_p99_ns_le", (double)yl_hist_quantile(v->ipi_rtt_hist, 0.99));
	yl_json_hist(j, "rtt_hist_log2_cycles", v->ipi_rtt_hist);
	yj_obj_end(j);
	yj_obj_end(j);
}

static void json_vcpus(struct yj *j, const struct yl_sim *s, unsigned int vm)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);
	unsigned int i;

	yj_arr(j, "vcpus");
	for (i = 0; i < c->vcpus; i++) {
		const struct yl_sim_vstat *v = yl_sim_vstat(s, vm * c->vcpus + i);

		yj_obj(j, NULL);
		yj_u64(j, "index", i);
		yj_str(j, "end", "done");
		json_guest(j, v);
		yj_obj(j, "exits");
		yj_u64(j, "hints", v->hints - v->ple_exits);
		yj_u64(j, "pause_exits", v->ple_exits);
		yj_u64(j, "halts", v->halts);
		yj_obj_end(j);
		yj_obj(j, "host_thread");	/* the host's view: sched/'s account */
		yj_bool(j, "valid", true);
		yj_u64(j, "run_ns", v->service_ns);
		yj_u64(j, "slices", v->dispatches);
		yj_u64(j, "nonvoluntary_ctxt_switches", v->preemptions);
		yj_obj_end(j);
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

static void json_outcomes(struct yj *j, const struct vm_sum *m)
{
	unsigned int k;

	yj_obj(j, "outcomes");
	for (k = 0; k < YL_OUT_NR; k++)
		yj_u64(j, yl_outcome_name((enum yl_outcome)k), m->outcomes[k]);
	yj_obj_end(j);
}

/* What the executor reports once: policy, target, the scheduler's numbers. */
static void json_sched_top(struct yj *j, const struct yl_sim *s,
			   const struct vm_sum *all)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);

	uint64_t spin[YL_SPIN_NR];

	yl_sim_spin_stat(s, spin);
	yl_json_sched(j, yl_sim_sched(s), c->policy->name,
		      yl_target_name((enum yl_target_kind)c->target), c->nr_vms);
	yl_json_spin(j, spin);
	yj_str(j, "pause_exits", "off");	/* coop turns them off */
	yj_u64(j, "handoffs", all->handoffs);
	yj_i64(j, "max_in_kvm_run", (int64_t)(c->nr_cpus < c->nr_vms * c->vcpus ?
					     c->nr_cpus : c->nr_vms * c->vcpus));
	yj_obj(j, "handoff_phases");
	yj_u64(j, "n", 0);
	yj_obj_end(j);
	yj_arr(j, "pcpu_threads");
	yj_arr_end(j);
	json_outcomes(j, all);
}

/* The VM's coop object: its group, its vCPUs in sched/'s account. */
static void json_coop_vm(struct yj *j, const struct yl_sim *s, unsigned int vm,
			 const struct vm_sum *m, const struct vm_sum *sums, bool top)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);
	double all = (double)sums->service, wsum = 0;
	unsigned int k, i;

	for (k = 0; k < c->nr_vms; k++)
		wsum += c->cpu_weight ? c->cpu_weight[k] : 100;
	yj_obj(j, "coop");
	if (top)
		json_sched_top(j, s, sums);
	yj_obj(j, "group");
	yj_u64(j, "vm", vm);
	yj_bool(j, "is_group", c->nr_vms > 1);
	yj_u64(j, "cpu_weight", c->cpu_weight ? c->cpu_weight[vm] : 100);
	yj_dbl(j, "weight_share", (c->cpu_weight ? c->cpu_weight[vm] : 100) / wsum);
	yj_dbl(j, "service_ns", (double)m->service);
	yj_dbl(j, "cpu_share", all > 0 ? (double)m->service / all : 0);
	yj_dbl(j, "contended_service_ns", (double)m->service);
	yj_dbl(j, "contended_cpu_share", all > 0 ? (double)m->service / all : 0);
	yj_u64(j, "contended_ns", c->duration_ns);
	yj_obj_end(j);
	yj_u64(j, "vm_handoffs", m->handoffs);
	yj_dbl(j, "handoffs_per_op", m->ops + m->ipi_ops ?
	       (double)m->handoffs / (double)(m->ops + m->ipi_ops) : 0);
	yj_arr(j, "vcpus");
	for (i = 0; i < c->vcpus; i++) {
		const struct yl_sim_vstat *v = yl_sim_vstat(s, vm * c->vcpus + i);

		yj_obj(j, NULL);
		yj_u64(j, "vcpu", i);
		yj_u64(j, "dispatches", v->dispatches);
		yj_u64(j, "slice_end_preemptions", v->preemptions);
		yj_u64(j, "preempted_user", v->preempted_user);
		yj_u64(j, "hints", v->hints);
		yj_u64(j, "handoffs", v->handoffs);
		yj_u64(j, "halts", v->halts);
		yj_u64(j, "kicks_sent", v->kicks);
		yj_u64(j, "pause_exits", v->ple_exits);
		yj_u64(j, "service_ns", v->service_ns);
		yj_obj_end(j);
	}
	yj_arr_end(j);
	if (!top)
		json_outcomes(j, m);
	yj_obj_end(j);
}

/*
 * A run that compared nothing says so (docs/report.md#warnings), with
 * run's own decisions (warn.c) on the simulated counts.
 */
static void warnings_of(const struct yl_sim *s, const struct vm_sum *all,
			struct yl_warnings *w)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);
	const uint64_t *o = all->outcomes;

	memset(w, 0, sizeof(*w));
	if (c->sched == YL_SCHED_COOP)
		yl_warn_hints(w, c->policy->name, c->pv == YL_PV_YIELD, all->hints,
			      o[YL_OUT_YIELDED] + o[YL_OUT_HONOURED] + o[YL_OUT_RATE_LIMITED]);
	yl_warn_credit(w, c->policy->name, o[YL_OUT_HONOURED] + o[YL_OUT_RATE_LIMITED],
		       yl_sim_sched(s)->credit_stat[YL_CS_CREDITS]);
	yl_warn_pv(w, yl_wl_has_locks(c->workload) ? c->pv : YL_PV_NONE,
		   all->yields, all->halts);
}

static void json_warnings(struct yj *j, const struct yl_sim *s,
			  const struct vm_sum *all)
{
	struct yl_warnings w;

	warnings_of(s, all, &w);
	yl_warnings_json(&w, j);
}


static void json_vm_body(struct yj *j, const void *ctx, unsigned int vm,
			 bool alone)
{
	const struct sim_doc *d = ctx;
	struct vm_sum m;

	sum_vm(d->s, vm, &m);
	json_result(j, d->s, &m, !yl_sim_failure(d->s));
	if (alone)
		json_warnings(j, d->s, &m);
	else {
		yj_arr(j, "warnings");
		yj_arr_end(j);
	}
	json_checks(j, d->s, &m);
	json_vcpus(j, d->s, vm);
	if (yl_sim_config_of(d->s)->sched == YL_SCHED_COOP)
		json_coop_vm(j, d->s, vm, &m, d->all, alone);
	else
		yj_null(j, "coop");
}

/* Not its wall time, which would make the file differ run to run. */
static void json_sim(struct yj *j, const struct yl_sim *s, const struct vm_sum *all)
{
	uint64_t spin[YL_SPIN_NR];

	yj_obj(j, "sim");
	yj_u64(j, "events", yl_sim_events(s));
	yj_u64(j, "idle_ns", yl_sim_idle_ns(s));
	if (yl_sim_config_of(s)->sched == YL_SCHED_HOST) {	/* else in coop */
		json_outcomes(j, all);
		yl_json_credit(j, yl_sim_sched(s));
		yl_sim_spin_stat(s, spin);
		yl_json_spin(j, spin);
	}
	yj_obj_end(j);
}

static void json_head(struct yj *j, const void *ctx)
{
	const struct sim_doc *d = ctx;

	yj_str(j, "mode", "sim");
	json_config(j, d);
	json_host(j);
	json_sim(j, d->s, d->all);
}

static void json_combined(const void *ctx, struct yl_doc_combined *out)
{
	const struct sim_doc *d = ctx;
	bool failed = yl_sim_failure(d->s);

	out->status = failed ? "check_failed" : "ok";
	out->exit_code = failed ? YL_EXIT_CHECK : YL_EXIT_OK;
	out->ops = d->all->ops;
	out->ops_per_s = (double)d->all->ops / secs(d->s);
	out->ipi_ops = d->all->ipi_ops;
	out->ipi_ops_per_s = (double)d->all->ipi_ops / secs(d->s);
}

static void json_after_combined(struct yj *j, const void *ctx)
{
	const struct sim_doc *d = ctx;

	if (yl_sim_config_of(d->s)->sched == YL_SCHED_COOP) {
		yj_obj(j, "coop");
		json_sched_top(j, d->s, d->all);
		yj_obj_end(j);
	}
	json_warnings(j, d->s, d->all);
}

int yl_sim_json(const struct yl_sim *s, const struct yl_simcmd *sc, FILE *f)
{
	struct vm_sum all;
	const struct sim_doc d = { .s = s, .sc = sc, .all = &all };
	const struct yl_doc_ops ops = {
		.command = "sim",
		.nr_vms = yl_sim_config_of(s)->nr_vms,
		.head = json_head,
		.vm_body = json_vm_body,
		.combined = json_combined,
		.after_combined = json_after_combined,
	};
	struct yj j;

	sum_all(s, &all);
	yj_init(&j, f);
	yl_doc_write(&j, &ops, &d);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* The warnings of the run as a whole, as the text report says them. */
void yl_sim_warnings(const struct yl_sim *s, struct yl_warnings *w)
{
	struct vm_sum sums;

	sum_all(s, &sums);
	warnings_of(s, &sums, w);
}

/* The text report: per VM what a reader of run's report looks at first. */
void yl_sim_print(const struct yl_sim *s, const struct yl_simcmd *sc, FILE *f)
{
	const struct yl_sim_config *c = yl_sim_config_of(s);
	uint64_t spin[YL_SPIN_NR];
	struct yl_warnings w;
	struct vm_sum m, sums;
	double all;
	unsigned int k;

	sum_all(s, &sums);
	all = (double)sums.service;
	warnings_of(s, &sums, &w);
	fprintf(f, "sim: %u VM(s) x %u vCPUs on %u CPUs, %s, %s lock, pv %s, %s, policy %s, target %s, preset %s, seed %llu\n",
		c->nr_vms, c->vcpus, c->nr_cpus, yl_sched_mode_name(c->sched),
		yl_lock_name(c->lock), yl_pv_name(c->pv), yl_workload_name(c->workload),
		c->policy->name, yl_target_name((enum yl_target_kind)c->target),
		c->p.preset, (unsigned long long)c->seed);
	for (k = 0; k < c->nr_vms; k++) {
		sum_vm(s, k, &m);
		fprintf(f, "  vm%u: %.0f lock ops/s, %.0f IPI ops/s, Jain %.3f, CPU share %.3f, yields %llu, halts %llu, hand-offs %llu\n",
			k, (double)m.ops / secs(s), (double)m.ipi_ops / secs(s),
			yl_jain((double)m.ops, m.sq, c->vcpus),
			all > 0 ? (double)m.service / all : 0,
			(unsigned long long)(m.yields + m.ipi_yields),
			(unsigned long long)m.halts, (unsigned long long)m.handoffs);
	}
	yl_print_credit(f, yl_sim_sched(s));
	yl_sim_spin_stat(s, spin);
	yl_print_spin(f, spin);
	fprintf(f, "  %llu events in %.3f s (%.1f M events/s); idle %.1f%% of CPU time; %s\n",
		(unsigned long long)yl_sim_events(s), sc->wall_s,
		sc->wall_s > 0 ? (double)yl_sim_events(s) / sc->wall_s / 1e6 : 0,
		100.0 * (double)yl_sim_idle_ns(s) / ((double)c->nr_cpus * (double)c->duration_ns),
		yl_sim_failure(s) ? yl_sim_failure(s) : "every invariant held");
	yl_warnings_print(&w, "  ", f);
}
