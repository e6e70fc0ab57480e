// SPDX-License-Identifier: GPL-2.0
/*
 * --timeline of run and sim, see timeline.h.  The file is the trace-event format's JSON
 * object form: traceEvents (timestamps in microseconds), one track (tid)
 * per pCPU under the process "pCPUs", each vCPU's lag as a counter track
 * under the process "vCPU lag", and otherData with the counts.
 */
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "timeline.h"

static const char *const kind_names[YL_TL_NR] = {
	[YL_TL_RUN] = "run",
	[YL_TL_HINT] = "hint",
	[YL_TL_HANDOFF] = "handoff",
	[YL_TL_KICK] = "kick",
	[YL_TL_IPI] = "ipi",
	[YL_TL_HALT] = "halt",
	[YL_TL_SLICE_END] = "slice_end",
	[YL_TL_LAG] = "lag",
};

const char *yl_tl_kind_name(enum yl_tl_kind k)
{
	return k < YL_TL_NR ? kind_names[k] : "?";
}

int yl_tl_init(struct yl_timeline *tl, uint64_t cap)
{
	memset(tl, 0, sizeof(*tl));
	tl->ring = calloc(cap, sizeof(*tl->ring));
	if (!tl->ring)
		return -1;
	tl->cap = cap;
	return 0;
}

void yl_tl_free(struct yl_timeline *tl)
{
	free(tl->ring);
	tl->ring = NULL;
}

void yl_tl_add(struct yl_timeline *tl, const struct yl_tl_event *e)
{
	uint64_t n;

	if (!tl || !tl->ring || e->kind >= YL_TL_NR)
		return;
	__atomic_add_fetch(&tl->count[e->kind], 1, __ATOMIC_RELAXED);
	n = __atomic_fetch_add(&tl->next, 1, __ATOMIC_RELAXED);
	tl->ring[n % tl->cap] = *e;
}

#define PID_CPUS	0
#define PID_LAG		1

static void meta(struct yj *j, const char *what, int pid, int tid,
		 const char *name)
{
	yj_obj(j, NULL);
	yj_str(j, "name", what);
	yj_str(j, "ph", "M");
	yj_i64(j, "pid", pid);
	yj_i64(j, "tid", tid);
	yj_obj(j, "args");
	yj_str(j, "name", name);
	yj_obj_end(j);
	yj_obj_end(j);
}

static void tracks(struct yj *j, const struct yl_tl_names *n)
{
	char name[64];
	unsigned int c;

	meta(j, "process_name", PID_CPUS, 0, "pCPUs");
	meta(j, "process_name", PID_LAG, 0, "vCPU lag (ns, at each dispatch)");
	for (c = 0; c < n->nr_cpus; c++) {
		if (n->host_cpu)
			snprintf(name, sizeof(name), "pCPU %u (host CPU %d)", c,
				 n->host_cpu[c]);
		else
			snprintf(name, sizeof(name), "pCPU %u (simulated)", c);
		meta(j, "thread_name", PID_CPUS, (int)c, name);
	}
}

static void vcpu_name(char *buf, size_t len, const struct yl_tl_event *e)
{
	snprintf(buf, len, "vm%u vcpu%u", e->vm, e->vcpu);
}

/* The fields every event has; the caller adds args and closes it. */
static void head(struct yj *j, const char *name, const char *ph, int pid,
		 const struct yl_tl_event *e)
{
	yj_obj(j, NULL);
	yj_str(j, "name", name);
	yj_str(j, "cat", yl_tl_kind_name(e->kind));
	yj_str(j, "ph", ph);
	yj_i64(j, "pid", pid);
	yj_i64(j, "tid", pid == PID_CPUS ? e->cpu : 0);
	yj_dbl(j, "ts", (double)e->ts_ns / 1e3);
}

static void event(struct yj *j, const struct yl_tl_names *n,
		  const struct yl_tl_event *e)
{
	char name[48];

	vcpu_name(name, sizeof(name), e);
	if (e->kind == YL_TL_RUN) {
		head(j, name, "X", PID_CPUS, e);
		yj_dbl(j, "dur", (double)e->dur_ns / 1e3);
	} else if (e->kind == YL_TL_LAG) {
		char cname[64];

		snprintf(cname, sizeof(cname), "lag %s", name);
		head(j, cname, "C", PID_LAG, e);
		yj_obj(j, "args");
		yj_i64(j, "lag_ns", e->val);
		yj_i64(j, "eligible", e->arg);
		yj_obj_end(j);
		yj_obj_end(j);
		return;
	} else {
		head(j, yl_tl_kind_name(e->kind), "i", PID_CPUS, e);
		yj_str(j, "s", "t");
	}
	yj_obj(j, "args");
	yj_u64(j, "vm", e->vm);
	yj_u64(j, "vcpu", e->vcpu);
	if (e->kind == YL_TL_HINT) {
		yj_i64(j, "target", e->arg);
		yj_str(j, "outcome", n->outcome((int)e->val));
	} else if (e->kind == YL_TL_KICK || e->kind == YL_TL_IPI) {
		yj_i64(j, "target", e->arg);
		if (e->kind == YL_TL_IPI)
			yj_i64(j, "targets", e->val);
	} else if (e->kind == YL_TL_HANDOFF) {
		yj_i64(j, "latency_ns", e->val);
	}
	yj_obj_end(j);
	yj_obj_end(j);
}

static void other(struct yj *j, const struct yl_timeline *tl,
		  const struct yl_tl_names *n, uint64_t kept)
{
	unsigned int k;

	yj_obj(j, "otherData");
	yj_str(j, "generator", n->generator ? n->generator : "yieldlab run --timeline");
	yj_str(j, "policy", n->policy);
	yj_str(j, "preset", n->preset);
	yj_u64(j, "ring_events", tl->cap);
	yj_u64(j, "events_total", tl->next);
	yj_u64(j, "events_kept", kept);
	yj_u64(j, "events_dropped", tl->next - kept);
	yj_obj(j, "events_by_kind");
	for (k = 0; k < YL_TL_NR; k++)
		yj_u64(j, kind_names[k], tl->count[k]);
	yj_obj_end(j);
	yj_obj_end(j);
}

/* Oldest first: the ring's last `cap` events in the order claimed. */
int yl_tl_write(const struct yl_timeline *tl, const struct yl_tl_names *n,
		FILE *f)
{
	uint64_t kept = tl->next < tl->cap ? tl->next : tl->cap, i;
	struct yj j;

	yj_init(&j, f);
	yj_obj(&j, NULL);
	yj_str(&j, "displayTimeUnit", "ns");
	yj_arr(&j, "traceEvents");
	tracks(&j, n);
	for (i = tl->next - kept; i < tl->next; i++)
		event(&j, n, &tl->ring[i % tl->cap]);
	yj_arr_end(&j);
	other(&j, tl, n, kept);
	yj_obj_end(&j);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
