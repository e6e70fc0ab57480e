// SPDX-License-Identifier: GPL-2.0
/*
 * Reading runs back (see results.h).  Files are untrusted: a field that
 * is missing or of the wrong type leaves its metric unmeasured (NaN), and
 * a file that does not parse is a failed run with the parser's reason.
 * jansson (Debian libjansson-dev) parses and writes JSON for compare: a
 * reader of untrusted input is not code to write twice.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "results.h"
#include "lib/safeio.h"
#include "lib/util.h"

const struct yl_metric_desc yl_metric_descs[YL_M_VM_SHARE + 1] = {
	[YL_M_LOCK_OPS] = { "lock_ops_per_s", "lock ops/s", +1 },
	[YL_M_IPI_OPS] = { "ipi_ops_per_s", "IPI ops/s", +1 },
	/*
	 * Quantiles of log2 buckets are the bucket's upper bound: a p99 of
	 * 4.19 ms says "at most", and may lie below the mean.
	 */
	[YL_M_LAT_P50] = { "acquire_p50_ns", "acquire p50 <= ns", -1 },
	[YL_M_LAT_P99] = { "acquire_p99_ns", "acquire p99 <= ns", -1 },
	[YL_M_IPI_P50] = { "ipi_rtt_p50_ns", "IPI round trip p50 <= ns", -1 },
	[YL_M_IPI_P99] = { "ipi_rtt_p99_ns", "IPI round trip p99 <= ns", -1 },
	[YL_M_JAIN_OPS] = { "jain_ops", "Jain ops", +1 },
	[YL_M_JAIN_CPU] = { "jain_cpu", "Jain CPU", +1 },
	[YL_M_MIN_SHARE] = { "min_cpu_share", "min CPU share", +1 },
	[YL_M_YIELDS_PER_OP] = { "yields_per_op", "yields/op", 0 },
	[YL_M_EXITS_PER_OP] = { "exits_per_op", "exits/op", -1 },
	[YL_M_HANDOFF_P50] = { "handoff_p50_ns", "hand-off p50 <= ns", -1 },
	[YL_M_HANDOFFS_PER_OP] = { "handoffs_per_op", "hand-offs/op", 0 },
	[YL_M_VM_SHARE] = { "cpu_share", "CPU share", 0 },	/* "vm0_" ... */
};

static const struct yl_metric_desc *desc(unsigned int m)
{
	return &yl_metric_descs[m < YL_M_VM_SHARE ? m : YL_M_VM_SHARE];
}

void yl_metric_key(unsigned int m, char *buf, size_t len)
{
	if (m < YL_M_VM_SHARE)
		snprintf(buf, len, "%s", desc(m)->key);
	else
		snprintf(buf, len, "vm%u_%s", m - YL_M_VM_SHARE, desc(m)->key);
}

void yl_metric_title(unsigned int m, char *buf, size_t len)
{
	if (m < YL_M_VM_SHARE)
		snprintf(buf, len, "%s", desc(m)->title);
	else
		snprintf(buf, len, "VM%u %s", m - YL_M_VM_SHARE, desc(m)->title);
}

int yl_metric_better(unsigned int m)
{
	return desc(m)->better;
}

void yl_run_rec_init(struct yl_run_rec *r)
{
	unsigned int m;

	memset(r, 0, sizeof(*r));
	for (m = 0; m < YL_M_NR; m++)
		r->v[m] = NAN;
	r->wall_s = r->loadavg = r->oversub = NAN;
}

static double num(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = json_object_get(o, path);
	return json_is_number(o) ? json_number_value(o) : NAN;
}

static void copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "");
}

/* A count from a file: NaN, negative or absurd is 0, "not said". */
static unsigned int count_of(double x)
{
	return isfinite(x) && x >= 1 && x < 1e6 ? (unsigned int)x : 0;
}

static double zero_nan(double x)
{
	return isnan(x) ? 0 : x;
}

/* A vCPU's CPU time: coop's scheduler account, else the host's. */
static double vcpu_cpu_ns(json_t *vm, size_t i)
{
	json_t *coop = json_object_get(vm, "coop");
	json_t *v = json_array_get(json_object_get(vm, "vcpus"), i);

	if (json_is_object(coop))
		return num(json_array_get(json_object_get(coop, "vcpus"), i),
			   "service_ns");
	return num(v, "host_thread.run_ns");
}

struct tally {
	double ops[YL_MAX_VMS * 512], cpu[YL_MAX_VMS * 512];
	unsigned int n;
	double vm_cpu[YL_MAX_VMS], exits, yields, ops_sum, handoffs;
	unsigned int nr_vms;
};

static void tally_vm(struct yl_run_rec *r, struct tally *t, json_t *vm)
{
	json_t *vcpus = json_object_get(vm, "vcpus"), *v, *h;
	size_t i, b;

	/* ops: lock and IPI operations, what a vCPU got done */
	t->ops_sum += num(vm, "result.ops") + zero_nan(num(vm, "result.ipi_ops"));
	t->yields += num(vm, "result.yields");
	t->handoffs += zero_nan(num(vm, "coop.vm_handoffs"));
	json_array_foreach(vcpus, i, v) {
		double cpu = vcpu_cpu_ns(vm, i);

		if (t->n >= (unsigned int)ARRAY_SIZE(t->ops))
			break;
		t->ops[t->n] = num(v, "guest.ops") + zero_nan(num(v, "guest.ipi.ops"));
		t->cpu[t->n++] = cpu;
		t->vm_cpu[t->nr_vms] += cpu;
		t->exits += zero_nan(num(v, "kvm.exits"));
		h = json_object_get(json_object_get(v, "guest"), "lat_hist_log2_cycles");
		for (b = 0; b < YL_LAT_BUCKETS && b < json_array_size(h); b++)
			r->lat_hist[b] += (uint64_t)json_integer_value(json_array_get(h, b));
		h = json_object_get(json_object_get(json_object_get(v, "guest"), "ipi"),
				    "rtt_hist_log2_cycles");
		for (b = 0; b < YL_LAT_BUCKETS && b < json_array_size(h); b++)
			r->ipi_hist[b] += (uint64_t)json_integer_value(json_array_get(h, b));
	}
	t->nr_vms++;
}

/* yl_jain(), as run reports it, of @n values; none: not measured. */
static double jain_of(const double *x, unsigned int n)
{
	double sum = 0, sq = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	return n ? yl_jain(sum, sq, n) : NAN;
}

/* As yl_hist_quantile(): the upper bound of the bucket holding quantile q. */
static double hist_quantile(const struct yl_run_rec *r, const uint64_t *hist,
			    double q)
{
	uint64_t total = 0, seen = 0;
	unsigned int b;

	for (b = 0; b < YL_LAT_BUCKETS; b++)
		total += hist[b];
	if (!total || !(r->tsc_khz > 0))
		return NAN;
	for (b = 0; b < YL_LAT_BUCKETS - 1; b++) {
		seen += hist[b];
		if ((double)seen >= q * (double)total)
			break;
	}
	return ldexp(2.0, (int)b) * 1e6 / r->tsc_khz;
}

static void metrics(struct yl_run_rec *r, json_t *root, struct tally *t)
{
	const char *wl = json_string_value(json_object_get(json_object_get(root, "config"),
							   "workload"));
	json_t *vms = json_object_get(root, "vms");
	bool many = json_is_array(vms);
	double cpu_sum = 0, cpu_mean, min_share = INFINITY;
	unsigned int i;

	if (!wl || strcmp(wl, "ipi"))
		r->v[YL_M_LOCK_OPS] = num(root, many ? "combined.ops_per_s" : "result.ops_per_s");
	if (wl && strcmp(wl, "lock"))
		r->v[YL_M_IPI_OPS] = num(root, many ? "combined.ipi_ops_per_s" :
					 "result.ipi_ops_per_s");
	r->v[YL_M_LAT_P50] = hist_quantile(r, r->lat_hist, 0.5);
	r->v[YL_M_LAT_P99] = hist_quantile(r, r->lat_hist, 0.99);
	r->v[YL_M_IPI_P50] = hist_quantile(r, r->ipi_hist, 0.5);
	r->v[YL_M_IPI_P99] = hist_quantile(r, r->ipi_hist, 0.99);
	r->v[YL_M_JAIN_OPS] = jain_of(t->ops, t->n);
	r->v[YL_M_JAIN_CPU] = jain_of(t->cpu, t->n);
	for (i = 0; i < t->n; i++)
		cpu_sum += t->cpu[i];
	cpu_mean = t->n ? cpu_sum / t->n : NAN;
	for (i = 0; i < t->n && cpu_mean > 0; i++)
		min_share = fmin(min_share, t->cpu[i] / cpu_mean);
	r->v[YL_M_MIN_SHARE] = isinf(min_share) ? NAN : min_share;
	if (t->ops_sum > 0) {
		r->v[YL_M_YIELDS_PER_OP] = t->yields / t->ops_sum;
		r->v[YL_M_EXITS_PER_OP] = t->exits > 0 ? t->exits / t->ops_sum : NAN;
	}
	if (t->ops_sum > 0 && json_is_object(json_object_get(root, "coop")))
		r->v[YL_M_HANDOFFS_PER_OP] = t->handoffs / t->ops_sum;
	if (num(root, "coop.handoff_p50_ns_le") > 0)
		r->v[YL_M_HANDOFF_P50] = num(root, "coop.handoff_p50_ns_le");
	for (i = 0; many && i < t->nr_vms && i < YL_MAX_VMS && cpu_sum > 0; i++)
		r->v[YL_M_VM_SHARE + i] = t->vm_cpu[i] / cpu_sum;
}

static void warnings(struct yl_run_rec *r, json_t *root)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(root, "warnings"), i, w) {
		const char *id = json_string_value(json_object_get(w, "id"));
		unsigned int k;

		if (!id)
			continue;
		for (k = 0; k < r->nr_warn && strcmp(r->warn[k], id); k++)
			;
		if (k == r->nr_warn && k < YL_RUN_MAX_WARN)
			snprintf(r->warn[r->nr_warn++], sizeof(r->warn[0]), "%s", id);
	}
}

/* Everything compare takes from one run's JSON; @root is untrusted. */
static int from_json(struct yl_run_rec *r, json_t *root)
{
	static struct tally t;
	json_t *vms, *vm, *cfg;
	size_t i;

	if (!json_is_object(root))
		return -1;
	memset(&t, 0, sizeof(t));
	memset(r->lat_hist, 0, sizeof(r->lat_hist));
	memset(r->ipi_hist, 0, sizeof(r->ipi_hist));
	r->tsc_khz = num(root, "host.tsc_khz");
	copy_str(r->version, sizeof(r->version), root, "yieldlab_version");
	copy_str(r->cpu_model, sizeof(r->cpu_model), json_object_get(root, "provenance"),
		 "cpu_model");
	copy_str(r->caveats, sizeof(r->caveats), json_object_get(root, "provenance"),
		 "caveats");
	r->cores = count_of(num(root, "provenance.cores"));
	vms = json_object_get(root, "vms");
	if (json_is_array(vms))
		json_array_foreach(vms, i, vm)
			if (t.nr_vms < YL_MAX_VMS)
				tally_vm(r, &t, vm);
	if (!json_is_array(vms))
		tally_vm(r, &t, root);
	cfg = json_object_get(root, "config");
	r->oversub = num(cfg, "vcpus") * t.nr_vms / num(cfg, "nr_pcpus");
	metrics(r, root, &t);
	warnings(r, root);
	return 0;
}

/*
 * A JSON file another user may have planted (merge reads other
 * machines' directories): a regular file, bounded, never a FIFO.
 */
static json_t *load_regular(const char *path, json_error_t *e)
{
	struct yl_err err;
	size_t n;
	char *buf = yl_read_regular(path, YL_RUN_JSON_MAX, &n, "", &err);
	json_t *root;

	if (!buf) {
		snprintf(e->text, sizeof(e->text), "%s", err.msg + 2);
		e->line = 0;
		return NULL;
	}
	root = json_loadb(buf, n, 0, e);
	free(buf);
	return root;
}

int yl_read_run_json(struct yl_run_rec *r, const char *path, char *why, size_t len)
{
	json_error_t e;
	json_t *root = load_regular(path, &e);
	int rc = from_json(r, root);

	if (rc)
		snprintf(why, len, "%s:%d: %s", path, e.line,
			 root ? "not a JSON object" : e.text);
	json_decref(root);
	return rc;
}

int yl_parse_run_json(struct yl_run_rec *r, const char *buf, size_t n)
{
	json_t *root = json_loadb(buf, n, 0, NULL);
	int rc = from_json(r, root);

	json_decref(root);
	return rc;
}

/*
 * meta.json, written by the runner once a run is over; absent: not run.
 * A meta.json or an "ok" run's run.json that does not read back (cut
 * short, corrupt, not a file) counts as not run, so --resume runs it
 * again.
 */
int yl_read_meta(struct yl_run_rec *r, const char *run_dir, unsigned int index,
		 unsigned int cell)
{
	char path[600], why[256];
	json_t *m, *host;
	const char *st;

	snprintf(path, sizeof(path), "%s/meta.json", run_dir);
	m = load_regular(path, &(json_error_t){ 0 });
	if (!json_is_object(m) || num(m, "index") != index || num(m, "cell") != cell) {
		json_decref(m);
		return -1;
	}
	st = json_string_value(json_object_get(m, "status"));
	r->status = st && !strcmp(st, "ok") ? YL_RUN_OK : YL_RUN_FAILED;
	r->attempts = (unsigned int)json_array_size(json_object_get(m, "attempts"));
	r->exit_code = (int)num(m, "exit_code");
	r->wall_s = num(m, "wall_s");
	copy_str(r->start, sizeof(r->start), m, "start");
	host = json_object_get(m, "host");
	copy_str(r->hostname, sizeof(r->hostname), host, "hostname");
	copy_str(r->kernel, sizeof(r->kernel), host, "kernel");
	copy_str(r->kvm_module, sizeof(r->kvm_module), host, "kvm_module");
	r->loadavg = num(host, "loadavg_1m");
	snprintf(r->dir, sizeof(r->dir), "%s", run_dir);
	json_decref(m);
	snprintf(path, sizeof(path), "%s/run.json", run_dir);
	if (r->status == YL_RUN_OK && yl_read_run_json(r, path, why, sizeof(why))) {
		yl_run_rec_init(r);
		return -1;
	}
	return 0;
}
