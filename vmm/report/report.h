/* SPDX-License-Identifier: GPL-2.0 */
#ifndef YL_REPORT_H
#define YL_REPORT_H

#include <yieldlab/abi.h>
#include "vmm/vm.h"
#include "out/warn.h"

enum yl_run_stop {
	YL_STOP_NONE,		/* every vCPU ended on its own */
	YL_STOP_TIMEOUT,	/* the watchdog fired */
	YL_STOP_SIGNAL,		/* a terminating signal */
	YL_STOP_SECCOMP,	/* a thread made a forbidden system call */
};

/* A cross-check: 1 holds, 0 failed, -1 not applicable. */
struct yl_check {
	int state;
	char text[256];
};

struct yl_report {
	const struct yl_vm *vm;
	enum yl_run_stop stop;
	int signo;
	uint64_t wall_ns;
	bool complete;			/* every vCPU reported done */
	struct yl_vcpu_result *g;	/* copies of the guest's records */
	struct yl_summary sum;
	uint64_t ops, yields, spins, halts, kicks;
	uint64_t ops_min, ops_max;	/* over vCPUs */
	double ops_jain;		/* Jain's index of per-vCPU ops */
	uint64_t ipi_ops, ipi_sent, ipi_received, ipi_acked, ipi_irqs;
	uint64_t ipi_yields, ipi_hypercalls;
	double phase_ms;		/* lock phase, from the guest's TSC */
	/* the vCPU threads' schedstat, summed; host_unread: a vCPU without */
	int host_unread;
	uint64_t host_run_ns, host_wait_ns, host_run_all_ns;
	uint64_t host_t0, host_t1;	/* first reading and last */
	struct yl_check mutex, ipi, io, dy, kdy, hc, halt, tp_io, cg, samp, coop;
	struct yl_warnings warn;	/* it completed, but compared nothing */
	const char *status;
	int exit_code;
};

/* Every check, once: its line in the table, its JSON key, its failure. */
struct yl_check_desc {
	const char *label, *json, *failure;
	size_t off;			/* of its struct yl_check in the report */
};
#define YL_NR_CHECKS	11
extern const struct yl_check_desc yl_checks[YL_NR_CHECKS];
const struct yl_check *yl_check_at(const struct yl_report *r, unsigned int k);
const char *yl_reports_status(const struct yl_report *r, unsigned int n);
double yl_rate(const struct yl_report *r, uint64_t n);
double yl_cycles_to_ms(const struct yl_vm *vm, uint64_t c);
double yl_cycles_to_ns(const struct yl_vm *vm, double c);
void yl_fmt_ns(char *buf, size_t len, double ns);

bool yl_mutex_holds(bool complete, uint64_t counter, uint64_t ops,
		    unsigned int unfinished);
int yl_report_build(struct yl_report *r, const struct yl_vm *vm,
		    enum yl_run_stop stop, int signo, uint64_t wall_ns);
void yl_report_free(struct yl_report *r);
void yl_report_print(const struct yl_report *r, FILE *f);
void yl_report_errors(const struct yl_report *r, FILE *f);
void yl_reports_print(const struct yl_report *r, unsigned int n, FILE *f);
int yl_reports_exit_code(const struct yl_report *r, unsigned int n);
/* Warnings about the run as a whole, after every VM's report is built. */
void yl_reports_warn_starved(struct yl_report *r, unsigned int n);
struct yl_privs;
void yl_reports_json(const struct yl_report *r, unsigned int n,
		     const struct yl_privs *privs, FILE *f);


struct yj;

/* report_coop.c: --sched coop */
void yl_coop_checks(struct yl_report *r);
void yl_coop_warnings(struct yl_report *r);
bool yl_kvm_run_moves_slow(const char *release);
void yl_coop_print(const struct yl_report *r, FILE *f);

/* report_samples.c: --sample-ms */
void yl_samples_check(struct yl_report *r);
void yl_samples_print(const struct yl_report *r, FILE *f);
void yl_samples_json(struct yj *j, const struct yl_report *r);
void yl_coop_json(struct yj *j, const struct yl_report *r);
void yl_coop_json_top(struct yj *j, const struct yl_report *r);

uint64_t yl_kstat_value(const struct yl_vcpu *v, const char *name, bool *ok);

#endif
