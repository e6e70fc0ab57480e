// SPDX-License-Identifier: GPL-2.0
/* The report as a user reads it: a table per VM, the checks, the errors. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

static const char *check_word(int s)
{
	return s > 0 ? "ok" : s == 0 ? "FAILED" : "n/a";
}

static void print_header(const struct yl_report *r, FILE *f)
{
	const struct yl_config *c = r->vm->cfg;
	char cpus[256];

	yl_format_cpulist(&c->pcpus, cpus, sizeof(cpus));
	fprintf(f, "yieldlab: %u vCPUs on pCPUs %s (%.1f per pCPU), sched %s, workload %s\n",
		r->vm->nr_vcpus, cpus, (double)r->vm->nr_vcpus / CPU_COUNT(&c->pcpus),
		yl_sched_mode_name(c->sched), yl_workload_name(c->workload));
	fprintf(f, "  lock %s, pv %s, cs %" PRIu64 " ns, think %" PRIu64 " ns, duration %" PRIu64
		" ms, spin %" PRIu64 " %s\n", yl_lock_name(c->lock), yl_pv_name(c->pv),
		c->cs_ns, c->think_ns, c->duration_ms,
		c->spin_threshold ? c->spin_threshold : c->spin_us,
		c->spin_threshold ? "PAUSEs" : "us");
	fprintf(f, "status %s: %s, phase %.1f ms, %" PRIu64 " lock ops, %.0f ops/s\n",
		r->status, r->complete ? "every vCPU finished" : "partial results",
		r->phase_ms, r->ops, yl_rate(r, r->ops));
	yl_warnings_print(&r->warn, "", f);
	fprintf(f, "per-vCPU ops: min %" PRIu64 ", max %" PRIu64 ", Jain's index %.3f\n",
		r->ops_min, r->ops_max, r->ops_jain);
	if (r->vm->cgroup[0])
		fprintf(f, "cgroup %s, cpu.weight %u, CPU time %.1f ms\n", r->vm->cgroup,
			r->vm->cg_weight ? r->vm->cg_weight : 100,
			r->vm->cg_valid ? (double)r->vm->cg_usage_us / 1e3 : 0.0);
}

/*
 * The per-vCPU table: each column once, as a value per vCPU, its unit
 * and whether a sum means anything; rows, the summary rows and the
 * header all loop over it.  --wide adds the cross-check columns.
 */
enum col_unit { U_COUNT, U_NS, U_PAIR };

struct col {
	const char *name, *sub;
	int width;
	enum col_unit unit;
	bool sums, wide;
};

enum { C_OPS, C_SPINS, C_YIELDS, C_HALTS, C_KICKS, C_LAT_AVG, C_LAT_P99,
       C_RUN, C_STEAL, C_IO_YL, C_IO_KVM, C_DY_ATT, C_DY_SUC, C_VOL, C_INVOL,
       C_NR };

static const struct col cols[C_NR] = {
	[C_OPS] = { "ops", "", 9, U_COUNT, true, false },
	[C_SPINS] = { "spins", "(PAUSEs)", 11, U_COUNT, true, false },
	[C_YIELDS] = { "yields", "(guest)", 8, U_COUNT, true, false },
	[C_HALTS] = { "halts", "(guest)", 7, U_COUNT, true, false },
	[C_KICKS] = { "kicks", "(guest)", 7, U_COUNT, true, false },
	[C_LAT_AVG] = { "lat_avg", "", 9, U_NS, false, false },
	[C_LAT_P99] = { "lat_p99", "(<=)", 9, U_NS, false, false },
	[C_RUN] = { "run", "(host)", 9, U_NS, true, false },
	[C_STEAL] = { "steal", "(wait)", 9, U_NS, true, false },
	[C_IO_YL] = { "io_yl", "(exits)", 9, U_COUNT, true, true },
	[C_IO_KVM] = { "io_kvm", "(stat)", 9, U_COUNT, true, true },
	[C_DY_ATT] = { "dy_att", "(KVM)", 9, U_COUNT, true, true },
	[C_DY_SUC] = { "dy_succ", "(KVM)", 9, U_COUNT, true, true },
	[C_VOL] = { "ctx_vol", "", 9, U_COUNT, true, true },
	[C_INVOL] = { "ctx_inv", "", 9, U_COUNT, true, true },
};

/* Up to this many vCPUs get a row each; more show the summary only. */
#define ROWS_MAX	16

/* A KVM statistic of the run, or -1 (printed "?") if KVM lacks it. */
static double kstat(const struct yl_vcpu *v, const char *name)
{
	bool ok;
	uint64_t n = yl_kstat_value(v, name, &ok);

	return ok ? (double)n : -1;
}

static void vcpu_values(const struct yl_report *r, unsigned int i, double *x)
{
	const struct yl_vcpu *v = &r->vm->vcpus[i];
	const struct yl_vcpu_result *g = &r->g[i];
	const struct yl_hoststat *a = &v->hs_before, *b = &v->hs_after;

	x[C_OPS] = (double)g->ops;
	x[C_SPINS] = (double)g->spins;
	x[C_YIELDS] = (double)g->yields;
	x[C_HALTS] = (double)g->halts;
	x[C_KICKS] = (double)g->kicks;
	x[C_LAT_AVG] = g->ops ? yl_cycles_to_ns(r->vm, (double)g->lat_sum / (double)g->ops) : 0;
	x[C_LAT_P99] = yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->lat_hist, 0.99));
	x[C_RUN] = (double)(b->run_ns - a->run_ns);
	x[C_STEAL] = (double)(b->wait_ns - a->wait_ns);
	x[C_IO_YL] = (double)v->ex.count[KVM_EXIT_IO];
	x[C_IO_KVM] = kstat(v, "io_exits");
	x[C_DY_ATT] = kstat(v, "directed_yield_attempted");
	x[C_DY_SUC] = kstat(v, "directed_yield_successful");
	x[C_VOL] = (double)(b->vol_cs - a->vol_cs);
	x[C_INVOL] = (double)(b->invol_cs - a->invol_cs);
	if (!v->tid)	/* coop: no thread of its own (see its executor's) */
		x[C_RUN] = x[C_STEAL] = x[C_VOL] = x[C_INVOL] = NAN;
}

/* ns as a person reads it: 850 ns, 12.4 us, 3.1 ms, 2.05 s. */
void yl_fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 0)
		snprintf(buf, len, "?");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
}

static void fmt_value(char *buf, size_t len, const struct col *c, double v)
{
	if (c->unit == U_NS)
		yl_fmt_ns(buf, len, v);
	else if (v < 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%.0f", v);
}

static bool shown(const struct yl_report *r, unsigned int k)
{
	return !cols[k].wide || r->vm->cfg->wide;
}

static void print_cols_header(const struct yl_report *r, FILE *f)
{
	unsigned int k;

	fprintf(f, "\n%4s", "vcpu");
	for (k = 0; k < C_NR; k++)
		if (shown(r, k))
			fprintf(f, " %*s", cols[k].width, cols[k].name);
	fprintf(f, " end\n%4s", "");
	for (k = 0; k < C_NR; k++)
		if (shown(r, k))
			fprintf(f, " %*s", cols[k].width, cols[k].sub);
	fputc('\n', f);
}

static void print_row(const struct yl_report *r, const char *label,
		      const double *x, const char *end, FILE *f)
{
	char buf[32];
	unsigned int k;

	fprintf(f, "%4s", label);
	for (k = 0; k < C_NR; k++) {
		if (!shown(r, k))
			continue;
		if (isnan(x[k]))
			snprintf(buf, sizeof(buf), "-");
		else
			fmt_value(buf, sizeof(buf), &cols[k], x[k]);
		fprintf(f, " %*s", cols[k].width, buf);
	}
	fprintf(f, "%s%s\n", *end ? " " : "", end);
}

/* sum, min, median and max of each column over the vCPUs. */
static void print_summary(const struct yl_report *r, double *all, FILE *f)
{
	unsigned int n = r->vm->nr_vcpus, i, k;
	double row[4][C_NR], col[YL_MAX_VCPUS];

	for (k = 0; k < C_NR; k++) {
		row[0][k] = 0;
		for (i = 0; i < n; i++) {
			col[i] = all[i * C_NR + k];
			row[0][k] += col[i];
		}
		qsort(col, n, sizeof(*col), yl_cmp_dbl);
		if (!cols[k].sums || col[0] < 0)
			row[0][k] = NAN;
		row[1][k] = col[0];
		row[2][k] = col[n / 2];
		row[3][k] = col[n - 1];
	}
	print_row(r, "sum", row[0], "", f);
	print_row(r, "min", row[1], "", f);
	print_row(r, "med", row[2], "", f);
	print_row(r, "max", row[3], "", f);
}

static void print_vcpus(const struct yl_report *r, FILE *f)
{
	unsigned int n = r->vm->nr_vcpus, i;
	double *all = calloc(n, sizeof(double) * C_NR);
	char idx[16];

	if (!all)
		return;
	for (i = 0; i < n; i++)
		vcpu_values(r, i, &all[i * C_NR]);
	print_cols_header(r, f);
	for (i = 0; i < n && (n <= ROWS_MAX || r->vm->cfg->wide); i++) {
		snprintf(idx, sizeof(idx), "%u", i);
		print_row(r, idx, &all[i * C_NR], yl_vcpu_end_name(r->vm->vcpus[i].end), f);
	}
	if (n > 1)
		print_summary(r, all, f);
	if (n > ROWS_MAX && !r->vm->cfg->wide)
		fprintf(f, "(%u vCPUs: a row each with --wide)\n", n);
	free(all);
}

static void print_ipi_vcpu(const struct yl_report *r, unsigned int i, FILE *f)
{
	const struct yl_vcpu_result *g = &r->g[i];
	char snd[32];

	snprintf(snd, sizeof(snd), "%" PRIu64 "/%" PRIu64, g->ipi_icr_writes,
		 g->ipi_hypercalls);
	fprintf(f, "%4u %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
		" %10" PRIu64 " %13s %7" PRIu64 " %9.0f %9.0f %9.0f\n",
		i, g->ipi_ops, g->ipi_sent, g->ipi_received, g->ipi_acked,
		g->ipi_irqs, snd, g->ipi_yields,
		g->ipi_ops && r->vm->cfg->ipi_wait == YL_IPI_SYNC ?
		yl_cycles_to_ns(r->vm, (double)g->ipi_rtt_sum / (double)g->ipi_ops) : 0.0,
		yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_rtt_hist, 0.99)),
		yl_cycles_to_ns(r->vm, (double)yl_hist_quantile(g->ipi_lat_hist, 0.99)));
}

static void print_ipis(const struct yl_report *r, FILE *f)
{
	const struct yl_config *c = r->vm->cfg;
	unsigned int i;

	fprintf(f, "\nIPIs via %s, %s, %u target(s) per op: %" PRIu64 " ops, %.0f ops/s, %" PRIu64 " requests\n",
		yl_ipi_path_name(c), yl_ipi_wait_name(c->ipi_wait),
		c->ipi_targets, r->ipi_ops, yl_rate(r, r->ipi_ops), r->ipi_sent);
	fprintf(f, "%4s %10s %10s %10s %10s %10s %13s %7s %9s %9s %9s\n",
		"vcpu", "ops", "sent", "received", "acked", "interrupts",
		"icr/hc", "yields", "rtt_avg", "rtt_p99", "dlv_p99");
	fprintf(f, "%4s %10s %10s %10s %10s %10s %13s %7s %9s %9s %9s\n",
		"", "", "", "", "", "", "(writes)", "", "(ns)", "(<=ns)", "(<=ns)");
	for (i = 0; i < r->vm->nr_vcpus; i++)
		print_ipi_vcpu(r, i, f);
}

/* Kernel-side exits of all vCPUs by reason, as perf kvm stat names them. */
static void print_tp(const struct yl_report *r, FILE *f)
{
	const struct yl_tp *tp = r->vm->tp;
	uint64_t n[YL_TP_MAX_REASONS + 1] = { 0 }, named = 0;
	unsigned int i, k;

	if (!tp)
		return;
	if (!tp->ok) {
		fprintf(f, "\nkernel-side exits (kvm:kvm_exit): not counted: %s\n", tp->why);
		return;
	}
	for (i = 0; i < r->vm->nr_vcpus; i++)
		for (k = 0; r->vm->vcpus[i].tp.valid && k <= tp->nr; k++)
			n[k] += r->vm->vcpus[i].tp.n[k];
	fprintf(f, "\nkernel-side exits (kvm:kvm_exit): %" PRIu64, n[tp->nr]);
	for (k = 0; k < tp->nr; k++) {
		named += n[k];
		if (n[k])
			fprintf(f, ", %s %" PRIu64, tp->reasons[k].name, n[k]);
	}
	fprintf(f, ", other %" PRIu64 "\n", n[tp->nr] - named);
}

void yl_report_print(const struct yl_report *r, FILE *f)
{
	unsigned int k;

	print_header(r, f);
	print_vcpus(r, f);
	if (yl_wl_has_ipis(r->vm->cfg->workload))
		print_ipis(r, f);
	print_tp(r, f);
	yl_samples_print(r, f);
	yl_coop_print(r, f);
	fprintf(f, "\nchecks:\n");
	for (k = 0; k < YL_NR_CHECKS; k++)
		fprintf(f, "  %-18s %-6s %s\n", yl_checks[k].label,
			check_word(yl_check_at(r, k)->state), yl_check_at(r, k)->text);
}

static void print_regs(const struct yl_vcpu *v, FILE *f)
{
	const struct kvm_regs *g = &v->regs;
	const struct kvm_sregs *s = &v->sregs;

	fprintf(f, "  vcpu%u rip %016llx rsp %016llx rflags %016llx\n", v->idx,
		g->rip, g->rsp, g->rflags);
	fprintf(f, "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
		g->rax, g->rbx, g->rcx, g->rdx);
	fprintf(f, "  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n",
		g->rsi, g->rdi, g->rbp, g->r8);
	fprintf(f, "  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n",
		g->r9, g->r10, g->r11, g->r12);
	fprintf(f, "  r13 %016llx r14 %016llx r15 %016llx\n", g->r13, g->r14, g->r15);
	fprintf(f, "  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx\n",
		s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
}

/* One line per failure on stderr, register dumps under the ones that have them. */
void yl_report_errors(const struct yl_report *r, FILE *f)
{
	unsigned int i, k;

	for (i = 0; i < r->vm->nr_vcpus; i++) {
		const struct yl_vcpu *v = &r->vm->vcpus[i];

		if (v->end == YL_END_DONE || v->end == YL_END_STOPPED ||
		    v->end == YL_END_NONE)
			continue;
		fprintf(f, "yieldlab: vcpu %u: %s\n", i, v->detail);
		if (v->regs_valid)
			print_regs(v, f);
	}
	if (r->stop == YL_STOP_TIMEOUT)
		fprintf(f, "yieldlab: watchdog: guest not finished after %" PRIu64
			" s (--timeout), stopped with partial statistics\n",
			yl_effective_timeout_s(r->vm->cfg));
	if (r->stop == YL_STOP_SIGNAL)
		fprintf(f, "yieldlab: stopped by signal %d, partial statistics\n", r->signo);
	for (k = 0; k < YL_NR_CHECKS; k++)
		if (!yl_check_at(r, k)->state)
			fprintf(f, "yieldlab: %s failed: %s\n", yl_checks[k].failure,
				yl_check_at(r, k)->text);
}

/* Several VMs: each one's table, then what they did together. */
void yl_reports_print(const struct yl_report *r, unsigned int n, FILE *f)
{
	unsigned int k;

	if (n == 1) {
		yl_report_print(r, f);
		return;
	}
	for (k = 0; k < n; k++) {
		fprintf(f, "%s== VM %u of %u ==\n", k ? "\n" : "", k, n);
		yl_report_print(&r[k], f);
	}
	fprintf(f, "\n== combined: %u VMs on the same pCPUs, status %s ==\n",
		n, yl_reports_status(r, n));
	fprintf(f, "%4s %-14s %12s %12s %12s %12s %10s %12s\n", "vm", "status",
		"lock_ops", "ops/s", "ipi_ops", "ipi_ops/s", "phase_ms", "cg_cpu_ms");
	for (k = 0; k < n; k++)
		fprintf(f, "%4u %-14s %12" PRIu64 " %12.0f %12" PRIu64 " %12.0f %10.1f %12.1f\n",
			k, r[k].status, r[k].ops, yl_rate(&r[k], r[k].ops),
			r[k].ipi_ops, yl_rate(&r[k], r[k].ipi_ops), r[k].phase_ms,
			r[k].vm->cg_valid ? (double)r[k].vm->cg_usage_us / 1e3 : 0.0);
}
