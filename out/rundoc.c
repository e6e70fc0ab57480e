// SPDX-License-Identifier: GPL-2.0
/* The run document's shared parts: out/rundoc.h. */
#include "out/json.h"
#include "out/rundoc.h"

static void doc_feats(struct yj *j, const struct yl_doc_config *c)
{
	unsigned int i;

	yj_arr(j, "sched_features");
	for (i = 0; i < c->nr_feats; i++) {
		yj_obj(j, NULL);
		yj_str(j, "name", c->feats[i].name);
		yj_bool(j, "set", c->feats[i].set);
		yj_bool(j, "original", c->feats[i].orig);
		yj_obj_end(j);
	}
	yj_arr_end(j);
	yj_arr(j, "host_params");
	for (i = 0; i < c->nr_params; i++) {
		const struct yl_doc_param *p = &c->params[i];

		yj_obj(j, NULL);
		yj_str(j, "name", p->name);
		if (p->is_bool) {
			yj_bool(j, "set", p->set);
			yj_bool(j, "original", p->orig);
		} else {
			yj_u64(j, "set", p->set);
			yj_u64(j, "original", p->orig);
		}
		yj_obj_end(j);
	}
	yj_arr_end(j);
}

/* The guest's parameters: what was asked and what it became. */
static void doc_config_guest(struct yj *j, const struct yl_doc_config *c)
{
	yj_str(j, "sched", c->sched);
	yj_u64(j, "vcpus", c->vcpus);
	yj_str(j, "pcpus", c->pcpus);
	yj_u64(j, "nr_pcpus", c->nr_pcpus);
	yj_str(j, "workload", c->workload);
	yj_str(j, "lock", c->lock);
	yj_str(j, "pv", c->pv);
	yj_str(j, "yield_to", c->yield_to);
	yj_u64(j, "cs_ns", c->cs_ns);
	yj_u64(j, "think_ns", c->think_ns);
	yj_str(j, "think_mode", c->think_mode);
	yj_u64(j, "duration_ms", c->duration_ms);
	yj_u64(j, "spin_threshold", c->spin_threshold);
	yj_u64(j, "spin_us", c->spin_us);
	yj_u64(j, "timeout_s", c->timeout_s);
}

static void doc_config_host(struct yj *j, const struct yl_doc_config *c)
{
	if (c->run)
		yj_str(j, "guest", c->guest);
	yj_str(j, "pause_exits", c->pause_exits);
	if (c->run && c->halt_poll_given)
		yj_u64(j, "halt_poll_ns", c->halt_poll_ns);
	else if (c->run)
		yj_null(j, "halt_poll_ns");
	if (c->run)
		yj_str(j, "ipi_via", c->ipi_via);
	yj_str(j, "ipi_wait", c->ipi_wait);
	yj_str(j, "ipi_yield", c->ipi_yield);
	yj_u64(j, "ipi_targets", c->ipi_targets);
	yj_u64(j, "ipi_every", c->ipi_every);
	if (c->run)
		doc_feats(j, c);
	yj_bool(j, "seccomp", c->seccomp);
	yj_u64(j, "sample_ms", c->sample_ms);
}

static void doc_config_confinement(struct yj *j, const struct yl_doc_config *c)
{
	if (!c->run)
		return;
	if (c->cgroup_parent)
		yj_str(j, "cgroup_parent", c->cgroup_parent);
	else
		yj_null(j, "cgroup_parent");
	if (c->caps_at_start) {
		yj_obj(j, "capabilities");
		yj_str(j, "at_start", c->caps_at_start);
		yj_str(j, "after_setup", c->caps_after_setup);
		yj_obj_end(j);
	}
}

/* "config"; tail, if any, adds the producer's own fields at its end. */
void yl_doc_config(struct yj *j, const struct yl_doc_config *c,
		   void (*tail)(struct yj *j, const void *ctx), const void *ctx)
{
	yj_obj(j, "config");
	doc_config_guest(j, c);
	doc_config_host(j, c);
	doc_config_confinement(j, c);
	if (tail)
		tail(j, ctx);
	yj_obj_end(j);
}

static void doc_result_ipi(struct yj *j, const struct yl_doc_result *r)
{
	yj_u64(j, "ipi_ops", r->ipi_ops);
	yj_dbl(j, "ipi_ops_per_s", r->ipi_ops_per_s);
	yj_u64(j, "ipi_sent", r->ipi_sent);
	yj_u64(j, "ipi_received", r->ipi_received);
	yj_u64(j, "ipi_acked", r->ipi_acked);
	if (r->run)
		yj_u64(j, "ipi_interrupts", r->ipi_irqs);
	yj_u64(j, "ipi_yields", r->ipi_yields);
	if (r->run)
		yj_u64(j, "ipi_hypercalls", r->ipi_hypercalls);
}

void yl_doc_result(struct yj *j, const struct yl_doc_result *r)
{
	yj_obj(j, "result");
	yj_str(j, "status", r->status);
	yj_i64(j, "exit_code", r->exit_code);
	yj_bool(j, "complete", r->complete);
	yj_str(j, "stopped_by", r->stopped_by);
	yj_dbl(j, "wall_ms", r->wall_ms);
	yj_dbl(j, "lock_phase_ms", r->lock_phase_ms);
	yj_u64(j, "ops", r->ops);
	yj_dbl(j, "ops_per_s", r->ops_per_s);
	yj_obj(j, "ops_fairness");
	yj_dbl(j, "jain", r->jain);
	yj_u64(j, "min", r->ops_min);
	yj_u64(j, "max", r->ops_max);
	yj_obj_end(j);
	yj_u64(j, "spins", r->spins);
	yj_u64(j, "yields", r->yields);
	yj_u64(j, "halts", r->halts);
	yj_u64(j, "kicks", r->kicks);
	doc_result_ipi(j, r);
	yj_u64(j, "shared_counter", r->shared_counter);
	if (r->run)
		yj_bool(j, "guest_check_ok", r->guest_check_ok);
	yj_obj_end(j);
}

/* state: 1 passed, 0 failed, -1 not applicable (null) */
void yl_doc_check(struct yj *j, const char *key, int state, const char *detail)
{
	yj_obj(j, key);
	if (state < 0)
		yj_null(j, "ok");
	else
		yj_bool(j, "ok", state);
	yj_str(j, "detail", detail);
	yj_obj_end(j);
}

static void doc_combined(struct yj *j, const struct yl_doc_combined *c)
{
	yj_obj(j, "combined");
	yj_u64(j, "vms", c->vms);
	yj_str(j, "status", c->status);
	yj_i64(j, "exit_code", c->exit_code);
	yj_u64(j, "ops", c->ops);
	yj_dbl(j, "ops_per_s", c->ops_per_s);
	yj_u64(j, "ipi_ops", c->ipi_ops);
	yj_dbl(j, "ipi_ops_per_s", c->ipi_ops_per_s);
	yj_obj_end(j);
}

/*
 * One VM: its result, checks and vCPUs at the top level.  Several: the
 * same per VM under "vms", after a "combined" summary.
 */
void yl_doc_write(struct yj *j, const struct yl_doc_ops *ops, const void *ctx)
{
	struct yl_doc_combined comb = { 0 };
	unsigned int k;

	yj_obj(j, NULL);
	yj_header(j, ops->command);
	ops->head(j, ctx);
	if (ops->nr_vms == 1) {
		ops->vm_body(j, ctx, 0, true);
	} else {
		ops->combined(ctx, &comb);
		comb.vms = ops->nr_vms;
		doc_combined(j, &comb);
		ops->after_combined(j, ctx);
		yj_arr(j, "vms");
		for (k = 0; k < ops->nr_vms; k++) {
			yj_obj(j, NULL);
			yj_u64(j, "index", k);
			ops->vm_body(j, ctx, k, false);
			yj_obj_end(j);
		}
		yj_arr_end(j);
	}
	yj_obj_end(j);
}
