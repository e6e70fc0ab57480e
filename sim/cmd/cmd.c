// SPDX-License-Identifier: GPL-2.0
/*
 * `yieldlab sim`, see simcmd.h.  Reads the bench JSON --calibrate names
 * with jansson (the same reader compare uses for run's JSON): each file
 * is untrusted, and one that is not what it claims is an error, exit 2.
 */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "lib/outfile.h"
#include "lib/safeio.h"
#include "simcmd.h"
#include "lib/util.h"
#include "out/warn.h"

/* A number at a dotted path, if it is one and finite and >= 0. */
static bool num_at(json_t *root, const char *path, double *out)
{
	char buf[128], *save = NULL, *k;
	json_t *o = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	if (!json_is_number(o))
		return false;
	*out = json_number_value(o);
	return isfinite(*out) && *out >= 0 && *out <= 1e9;
}

/*
 * bench exits: an exit is yieldlab's median per exit; one KVM handles
 * itself at most the bare loop's (a userspace exit with nothing done
 * there); a PAUSE and an op's own work the guest's timing of them.  bench
 * handoff: coop's median from the hint's handling to the target's
 * KVM_RUN (all in userspace: the exit itself is the exit's cost) is what
 * running another vCPU adds; in host mode a switch is half the futex
 * ping-pong's floor, one thread to the other.
 */
static int from_exits(json_t *root, struct yl_sim_config *c)
{
	double v;

	if (!num_at(root, "yieldlab.median_ns_per_exit", &v))
		return -1;
	c->cost[YL_COST_EXIT] = (uint64_t)llround(v);
	if (num_at(root, "bare.median_ns_per_exit", &v))
		c->cost[YL_COST_HYPERCALL] = (uint64_t)llround(v);
	if (num_at(root, "guest_pause_ns", &v) && v >= 1)
		c->cost[YL_COST_PAUSE] = (uint64_t)llround(v);
	if (num_at(root, "guest_op_ns", &v))
		c->cost[YL_COST_OP] = (uint64_t)llround(v);
	return 0;
}

static int from_handoff(json_t *root, struct yl_sim_config *c)
{
	double v;

	if (c->sched == YL_SCHED_HOST) {
		if (!num_at(root, "futex_pingpong.floor_ns", &v))
			return -1;
		c->cost[YL_COST_SWITCH] = (uint64_t)llround(v / 2);
		return 0;
	}
	if (!num_at(root, "coop.p50_ns", &v))
		return -1;
	c->cost[YL_COST_SWITCH] = (uint64_t)llround(v);
	return 0;
}

static int calibrate_one(const char *path, struct yl_sim_config *c,
			 struct yl_err *err)
{
	json_error_t je;
	size_t n;
	char *buf = yl_read_regular(path, 16u << 20, &n, "--calibrate", err);
	json_t *root = buf ? json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je) : NULL;
	const char *cmd = json_string_value(json_object_get(root, "command"));
	int r = 0;

	if (!buf)
		return -1;	/* not a regular file: said in @err */
	free(buf);
	if (!root)
		return yl_usagef(err, "--calibrate %s: not JSON (%s, line %d)", path,
			       je.text, je.line);
	if (!cmd || ((strcmp(cmd, "bench exits") || from_exits(root, c)) &&
		     (strcmp(cmd, "bench handoff") || from_handoff(root, c))))
		r = yl_usagef(err, "--calibrate %s: allowed the --json of bench exits (yieldlab.median_ns_per_exit) or bench handoff (coop.p50_ns, futex_pingpong.floor_ns)",
			    path);
	json_decref(root);
	return r;
}

static int preset_of(const struct yl_config *cfg, struct yl_sim_config *c,
		     struct yl_err *err)
{
	if (yl_cfg_sched_params(cfg, c->nr_cpus, &c->p))
		return yl_usagef(err, "--preset %s: unknown", cfg->preset);
	return 0;
}

int yl_simcmd_config(const struct yl_config *cfg, struct yl_sim_config *c,
		     struct yl_simcmd *sc, struct yl_err *err)
{
	unsigned int k;

	yl_sim_config_default(c);
	memset(sc, 0, sizeof(*sc));
	c->nr_vms = cfg->nr_vms;
	c->vcpus = cfg->nr_vcpus;
	c->nr_cpus = cfg->sim_pcpus ? cfg->sim_pcpus : 1;
	c->sched = cfg->sched;
	c->workload = cfg->workload;
	c->lock = cfg->lock;
	c->pv = cfg->pv;
	c->yield_to = yl_yield_to(cfg);
	c->ipi_yield = yl_ipi_yield(cfg);
	c->cs_ns = cfg->cs_ns;
	c->think_ns = cfg->think_ns;
	c->think_mode = cfg->think_mode;
	c->duration_ns = cfg->duration_ms * 1000000ull;
	c->spin_threshold = cfg->spin_threshold;
	c->spin_ns = cfg->spin_threshold ? 0 : cfg->spin_us * 1000;
	c->ipi_wait = cfg->ipi_wait;
	c->ipi_targets = cfg->ipi_targets;
	c->ipi_every = cfg->ipi_every;
	c->policy = cfg->policy;
	c->target = cfg->target;
	for (k = 0; k < cfg->nr_vms; k++)	/* one for all VMs: each its own */
		sc->cpu_weight[k] = yl_vm_cpu_weight(cfg, k) ? yl_vm_cpu_weight(cfg, k) : 100;
	c->cpu_weight = sc->cpu_weight;
	c->pause_exits = cfg->pause_exits != YL_PAUSE_EXITS_OFF;
	c->seed = cfg->seed;
	c->dist = cfg->dist;
	c->placement = cfg->placement;
	c->timeline_events = cfg->timeline_path ? cfg->timeline_events : 0;
	if (preset_of(cfg, c, err))
		return -1;
	for (k = 0; k < cfg->nr_calib; k++)
		if (calibrate_one(cfg->calib[k], c, err))
			return -1;
	sc->calib = cfg->calib;
	sc->nr_calib = cfg->nr_calib;
	for (k = 0; k < cfg->nr_costs; k++)	/* --cost wins over --calibrate */
		c->cost[cfg->costs[k].k] = cfg->costs[k].ns;
	return 0;
}

/* The timeline's file, opened before the run (a bad path costs nothing). */
static int write_timeline(const struct yl_config *cfg, struct yl_outfile *o,
			  const struct yl_sim *s, struct yl_err *err)
{
	if (!cfg->timeline_path)
		return 0;
	if (yl_sim_timeline(s, o->f)) {
		yl_outfile_abort(o);
		return yl_errf(err, "--timeline %s: write failed", cfg->timeline_path);
	}
	return yl_outfile_commit(o, err);
}

int yl_cmd_sim(const struct yl_config *cfg)
{
	struct yl_sim_config c;
	struct yl_simcmd sc;
	struct yl_outfile jo, to;
	struct yl_warnings w;
	struct yl_err err;
	struct yl_sim *s;
	char why[256];
	uint64_t t0;
	int code;

	if (yl_simcmd_config(cfg, &c, &sc, &err))
		return yl_err_exit(&err);
	if (cfg->timeline_path &&
	    yl_outfile_open(&to, "--timeline", cfg->timeline_path, &err))
		return yl_err_exit(&err);
	code = cfg->json_path ? yl_json_open(&jo, cfg->json_path) : YL_EXIT_OK;
	if (code) {
		if (cfg->timeline_path)
			yl_outfile_abort(&to);
		return code;
	}
	s = yl_sim_create(&c, why, sizeof(why));
	if (!s) {
		fprintf(stderr, "yieldlab: sim: %s\n", why);
		if (cfg->json_path)
			yl_outfile_abort(&jo);
		if (cfg->timeline_path)
			yl_outfile_abort(&to);
		return YL_EXIT_HOST;
	}
	t0 = yl_now_ns();
	code = yl_sim_run(s) ? YL_EXIT_CHECK : YL_EXIT_OK;
	sc.wall_s = (double)(yl_now_ns() - t0) / 1e9;
	if (!cfg->quiet)
		yl_sim_print(s, &sc, stdout);
	if (code)
		fprintf(stderr, "yieldlab: sim: invariant failed: %s\n", yl_sim_failure(s));
	yl_sim_warnings(s, &w);
	if (cfg->quiet)		/* as run: warnings reach stderr without the report */
		yl_warnings_print(&w, "yieldlab: ", stderr);
	code = yl_warn_strict(&w, cfg->strict, code);
	if (write_timeline(cfg, &to, s, &err)) {
		yl_err_print(&err);
		code = code ? code : YL_EXIT_HOST;
	}
	if (cfg->json_path) {
		yl_sim_json(s, &sc, jo.f);
		code = yl_json_commit(&jo, code);
	}
	yl_sim_destroy(s);
	return code;
}
