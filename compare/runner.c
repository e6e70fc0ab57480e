// SPDX-License-Identifier: GPL-2.0
/*
 * compare's runner: one child `yieldlab run --json` per run, in the plan's
 * order, each kept under runs/NNNNN with its exact command.  A failed run
 * (non-zero exit, no JSON, a crash, the watchdog) is retried once and then
 * recorded as failed; the sweep goes on.  SIGINT, SIGTERM or SIGHUP is
 * passed to the running child, whose run is then abandoned: its directory
 * is removed, so --resume runs it again and no run is counted twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "compare.h"
#include "lib/outfile.h"
#include "lib/safeio.h"
#include "lib/confine.h"
#include "lib/kvmmod.h"

#define KILL_GRACE_S	30	/* past run's own watchdog: compare kills */

static volatile sig_atomic_t stop_sig;
static int yieldlab_fd = -1;	/* the binary each run is, opened before confining */

static void on_stop(int sig)
{
	stop_sig = sig;
}

static void catch_stops(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_stop };
	unsigned int k;

	sigemptyset(&sa.sa_mask);
	for (k = 0; k < ARRAY_SIZE(sigs); k++)
		sigaction(sigs[k], &sa, NULL);
}

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double now_s(void)
{
	return (double)yl_now_ns() / 1e9;
}

/* The host, as each run's record names it; the KVM module as run does. */
static json_t *host_json(void)
{
	const char *mod = yl_kvm_impl_name(yl_kvm_impl_probe("/sys/module"));
	struct utsname u;
	char buf[64];
	double load = -1;

	uname(&u);
	if (yl_read_text("/proc/loadavg", buf, sizeof(buf)) > 0)
		load = strtod(buf, NULL);
	return json_pack("{s:s, s:s, s:s, s:f}", "hostname", u.nodename,
			 "kernel", u.release, "kvm_module", mod, "loadavg_1m", load);
}

struct runner {
	const struct yl_plan *plan;
	const char *out, *yieldlab;
	bool log, tty;
	unsigned int done, to_do;	/* this session */
	double t0, run_s;
};

/* A directory and all in it (a run's, emuhost's scratch): depth first,
 * no link followed; one that is not there is already gone. */
static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_tree(const char *dir)
{
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
		fprintf(stderr, "compare: %s: could not remove all of it: %s\n", dir,
			strerror(errno));
}

#define LOG_HEAD	"run\tround\tcell\tattempt\tevent\tutc\n"

static void log_event(const struct runner *r, unsigned int k, unsigned int att,
		      const char *what)
{
	char path[PATH_MAX], t[32], line[160];
	int fd, n;

	if (!r->log)
		return;
	snprintf(path, sizeof(path), "%s/log.tsv", r->out);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (lseek(fd, 0, SEEK_END) == 0 && write(fd, LOG_HEAD, strlen(LOG_HEAD)) < 0)
		fprintf(stderr, "compare: %s: %s\n", path, strerror(errno));
	utc_now(t, sizeof(t));
	n = snprintf(line, sizeof(line), "%u\t%u\t%u\t%u\t%s\t%s\n", k,
		     yl_plan_round(r->plan, k), r->plan->order[k], att, what, t);
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "compare: %s: short write\n", path);
	close(fd);
}

static void run_dir(const struct runner *r, unsigned int k, char *buf, size_t len)
{
	snprintf(buf, len, "%s/runs/%05u", r->out, k);
}

/*
 * A sim run's seed: its own, from the sweep's seed and its number, so
 * repetitions are independent draws and a resumed sweep redraws the same.
 */
static const char *run_seed(const struct runner *r, unsigned int k, char *buf,
			    size_t len)
{
	snprintf(buf, len, "%llu",
		 (unsigned long long)yl_seed_mix(r->plan->seed, 2, k));
	return buf;
}

static int build_argv(const struct runner *r, unsigned int k,
		      const char *json, const char **argv, char *seed, size_t len)
{
	int n;

	argv[0] = r->yieldlab;
	n = yl_plan_run_args(r->plan, r->plan->order[k], argv + 1, YL_MAX_RUN_ARGS) + 1;
	if (r->plan->sim) {
		argv[n++] = "--seed";
		argv[n++] = run_seed(r, k, seed, len);
	}
	argv[n++] = "--json";
	argv[n++] = json;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	return n;
}

static void child(const char *dir, const char **argv)
{
	char path[PATH_MAX];
	int fd;

	setpgid(0, 0);		/* a terminal's ^C reaches compare, which forwards it */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(127);
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd >= 0)
		dup2(fd, 1);
	snprintf(path, sizeof(path), "%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd >= 0)
		dup2(fd, 2);
	fexecve(yieldlab_fd, (char **)argv, environ);
	fprintf(stderr, "compare: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Waits for the child; a stop signal is passed on once, and a child that
 * outlives its own watchdog by KILL_GRACE_S is killed.  Returns the wait
 * status; *abandoned says a stop signal came.
 */
static int wait_child(pid_t pid, double limit_s, bool *abandoned)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	double t0 = now_s();
	bool passed = false, killed = false;
	int st;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return st;
		if (w < 0 && errno != EINTR)
			return -1;
		if (stop_sig && !passed) {
			kill(pid, stop_sig);
			passed = true;
			*abandoned = true;
		}
		if (!killed && now_s() - t0 > limit_s) {
			kill(pid, SIGKILL);
			killed = true;
		}
		nanosleep(&tick, NULL);
	}
}

static int exit_code_of(int st)
{
	if (st < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One attempt; 0 if it ran cleanly and its JSON reads back. */
static int attempt(const struct runner *r, unsigned int k, const char *dir,
		   json_t *att, bool *abandoned)
{
	const char *argv[YL_MAX_RUN_ARGS + 8];
	char json[PATH_MAX], t[32], why[512] = "", seed[24];
	struct yl_run_rec rec;
	struct yl_config cfg;
	struct yl_err e;
	double t0 = now_s();
	int n, st, code;
	pid_t pid;

	snprintf(json, sizeof(json), "%s/run.json", dir);
	n = build_argv(r, k, json, argv, seed, sizeof(seed));
	if (yl_cli_parse(&cfg, n, (char **)argv, &e))
		return -1;		/* yl_plan_check() ran first */
	utc_now(t, sizeof(t));
	json_object_set_new(att, "start", json_string(t));
	json_object_set_new(att, "host", host_json());
	pid = fork();
	if (pid == 0)
		child(dir, argv);
	if (pid < 0)
		return -1;
	st = wait_child(pid, (double)yl_effective_timeout_s(&cfg) + KILL_GRACE_S,
			abandoned);
	code = exit_code_of(st);
	json_object_set_new(att, "exit_code", json_integer(code));
	json_object_set_new(att, "wall_s", json_real(now_s() - t0));
	if (code == 0 && yl_read_run_json((yl_run_rec_init(&rec), &rec), json, why,
					  sizeof(why)))
		code = -2;
	if (code)
		json_object_set_new(att, "why", json_string(code == -2 ? why :
			code > 128 ? "killed by a signal" : "non-zero exit; see stderr"));
	return code;
}

/* Keeps a failed attempt's files beside the retry's: stderr.1, ... */
static void keep_attempt(const char *dir, unsigned int n)
{
	static const char *const files[] = { "stdout", "stderr", "run.json" };
	char a[PATH_MAX], b[PATH_MAX];
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(files); k++) {
		snprintf(a, sizeof(a), "%s/%s", dir, files[k]);
		snprintf(b, sizeof(b), "%s/%s.%u", dir, files[k], n);
		rename(a, b);
	}
}

static void write_cmd(const struct runner *r, unsigned int k, const char *dir)
{
	const char *argv[YL_MAX_RUN_ARGS + 8];
	char path[PATH_MAX], json[PATH_MAX], seed[24];
	FILE *f;
	int n, i;

	snprintf(json, sizeof(json), "%s/run.json", dir);
	n = build_argv(r, k, json, argv, seed, sizeof(seed));
	snprintf(path, sizeof(path), "%s/cmd", dir);
	f = yl_fopen_write(path);
	if (!f)
		return;
	for (i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		yl_shell_quote(f, argv[i]);
	}
	fputc('\n', f);
	fclose(f);
}

static int write_meta(const struct runner *r, unsigned int k, const char *dir,
		      json_t *atts, int code, double wall)
{
	char path[PATH_MAX], label[512];
	json_t *last = json_array_get(atts, json_array_size(atts) - 1);
	json_t *m;
	char *text;
	int rc;

	yl_plan_label(r->plan, r->plan->order[k], label, sizeof(label));
	m = json_pack("{s:I, s:I, s:I, s:s, s:s, s:i, s:O, s:O, s:O, s:f}",
		      "index", (json_int_t)k,
		      "round", (json_int_t)yl_plan_round(r->plan, k),
		      "cell", (json_int_t)r->plan->order[k], "label", label,
		      "status", code ? "failed" : "ok", "exit_code", code,
		      "attempts", atts, "start", json_object_get(last, "start"),
		      "host", json_object_get(last, "host"), "wall_s", wall);
	text = m ? json_dumps(m, JSON_INDENT(1)) : NULL;
	json_decref(m);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	rc = text ? yl_write_file(path, text) : -1;
	free(text);
	return rc;
}

static void progress(struct runner *r, unsigned int k, int code, double wall)
{
	char label[512];
	double left = r->to_do > r->done ? (r->to_do - r->done) * r->run_s / r->done : 0;
	unsigned int w = 30, fill = r->to_do ? r->done * w / r->to_do : w;

	yl_plan_label(r->plan, r->plan->order[k], label, sizeof(label));
	if (r->tty) {
		fprintf(stderr, "\r[%.*s%*s] %u/%u runs, %.0f s left (run %u %s: %s)\033[K",
			(int)fill, "##############################", (int)(w - fill), "",
			r->done, r->to_do, left, k, label, code ? "FAILED" : "ok");
		if (r->done == r->to_do)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "compare: run %u/%u (round %u, %s): %s in %.1f s, %.0f s left\n",
			k + 1, r->plan->nr_runs, yl_plan_round(r->plan, k) + 1, label,
			code ? "FAILED" : "ok", wall, left);
	}
}

/* 0 done, 1 abandoned by a stop signal, -1 could not record it. */
static int run_one(struct runner *r, unsigned int k)
{
	char dir[PATH_MAX], label[512];
	json_t *atts = json_array();
	double t0 = now_s();
	bool abandoned = false;
	unsigned int a;
	int code = -1, rc;

	run_dir(r, k, dir, sizeof(dir));
	remove_tree(dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	write_cmd(r, k, dir);
	for (a = 1; a <= 2 && !abandoned; a++) {
		json_t *att = json_object();

		log_event(r, k, a, "start");
		code = attempt(r, k, dir, att, &abandoned);
		json_array_append_new(atts, att);
		if (abandoned)
			break;
		log_event(r, k, a, code ? "failed" : "ok");
		if (!code)
			break;
		keep_attempt(dir, a);
		yl_plan_label(r->plan, r->plan->order[k], label, sizeof(label));
		if (!r->tty)
			fprintf(stderr, "compare: run %u (%s): attempt %u failed with %d%s\n",
				k + 1, label, a, code, a < 2 ? ", trying again" : "");
	}
	if (abandoned) {
		log_event(r, k, a, "abandoned");
		json_decref(atts);
		remove_tree(dir);
		return 1;
	}
	rc = write_meta(r, k, dir, atts, code, now_s() - t0);
	json_decref(atts);
	r->done++;
	r->run_s += now_s() - t0;
	progress(r, k, code, now_s() - t0);
	return rc;
}

/* Its meta.json (and an ok run's JSON) read back: cut short is not done. */
static bool finished(const struct runner *r, unsigned int k)
{
	struct yl_run_rec rec;
	char path[PATH_MAX];

	run_dir(r, k, path, sizeof(path));
	yl_run_rec_init(&rec);
	return !yl_read_meta(&rec, path, k, r->plan->order[k]);
}

/*
 * Runs @first..@last (inclusive) not yet finished.  Whether each one is
 * finished is read once (finished() parses its meta.json and run.json),
 * both for the count of runs to do and for which to run.
 */
static int run_range(struct runner *r, unsigned int first, unsigned int last)
{
	bool *done = calloc(last - first + 1, sizeof(*done));
	unsigned int k;
	int rc = YL_EXIT_OK;

	if (!done) {
		fprintf(stderr, "compare: out of memory\n");
		return YL_EXIT_HOST;
	}
	for (k = first; k <= last; k++) {
		done[k - first] = finished(r, k);
		r->to_do += !done[k - first];
	}
	r->t0 = now_s();
	catch_stops();
	for (k = first; k <= last && rc == YL_EXIT_OK; k++) {
		if (stop_sig) {
			rc = YL_EXIT_SIGNAL;
			break;
		}
		if (done[k - first])
			continue;
		rc = run_one(r, k);
		if (rc > 0) {
			rc = YL_EXIT_SIGNAL;
		} else if (rc < 0) {
			fprintf(stderr, "compare: %s: cannot record run %u: %s\n",
				r->out, k, strerror(errno));
			rc = YL_EXIT_HOST;
		}
	}
	free(done);
	return rc;
}

/* --out: new or empty, or (--only) one holding this very plan. */
static int prepare_out(const char *out, const char *plan_text, bool shared,
		       struct yl_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX], *old;
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (yl_mkdir_trusted(out, "--out", err))
		return -1;
	d = opendir(out);
	if (!d)
		return yl_errf(err, "--out %s: %s", out, strerror(errno));
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	snprintf(path, sizeof(path), "%s/plan", out);
	if (n && !shared)
		return yl_usagef(err, "--out %s: not empty (--resume %s continues a sweep there)",
			       out, out);
	snprintf(tmp, sizeof(tmp), "%s/.plan.%d", out, (int)getpid());
	if (yl_write_file(tmp, plan_text))
		return yl_errf(err, "--out %s: %s", out, strerror(errno));
	/* link(): of several --only runs starting at once, one plan wins */
	if (link(tmp, path) && errno != EEXIST) {
		unlink(tmp);
		return yl_errf(err, "--out %s: %s", out, strerror(errno));
	}
	unlink(tmp);
	old = yl_read_file(path, 1u << 20);
	if (!old || strcmp(old, plan_text)) {
		free(old);
		return yl_usagef(err, "--out %s: holds another plan; allowed: a new directory",
			       out);
	}
	free(old);
	snprintf(path, sizeof(path), "%s/runs", out);
	return yl_mkdir_trusted(path, "--out", err);
}

static void self_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	buf[n > 0 ? n : 0] = 0;
}

static void default_out(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "compare-%Y%m%d-%H%M%S", &tm);
}

/* The report from what @out holds, on stdout and as files in @out. */
static int report(const char *out, bool quiet_table)
{
	const char *dirs[1] = { out };
	struct yl_sweep s;
	struct yl_err err;
	int rc;

	if (yl_sweep_load(&s, dirs, 1, &err)) {
		fprintf(stderr, "compare: %s\n", err.msg);
		return YL_EXIT_USAGE;
	}
	yl_sweep_analyze(&s);
	rc = yl_sweep_report(&s, out, quiet_table ? NULL : stdout);
	if (!rc && yl_sweep_failed(&s))
		rc = YL_EXIT_CHECK;
	yl_sweep_free(&s);
	return rc;
}

static int sweep(const struct yl_config *cfg, struct yl_plan *p, const char *out,
		 const char *yieldlab)
{
	struct runner r = { .plan = p, .out = out, .yieldlab = yieldlab,
			    .log = !yl_given(cfg, YL_O_ONLY), .tty = isatty(2) };
	int rc;

	if (yl_given(cfg, YL_O_ONLY)) {
		if (cfg->only >= p->nr_runs) {
			fprintf(stderr, "compare: --only %llu: allowed 0 to %u (the plan's runs)\n",
				(unsigned long long)cfg->only, p->nr_runs - 1);
			return YL_EXIT_USAGE;
		}
		return run_range(&r, (unsigned int)cfg->only, (unsigned int)cfg->only);
	}
	fprintf(stderr, "compare: %u cells x %u reps = %u runs into %s\n",
		p->nr_cells, p->reps, p->nr_runs, out);
	rc = run_range(&r, 0, p->nr_runs - 1);
	if (rc == YL_EXIT_SIGNAL) {
		fprintf(stderr, "\ncompare: stopped by a signal; yieldlab compare --resume %s continues\n",
			out);
		return rc;
	}
	if (rc)
		return rc;
	return report(out, false);
}

static int run_emulated(const struct yl_plan *p, const char *yieldlab,
			const char *out);

/* --resume DIR --reps N: the plan file says N rounds from now on. */
static int write_extended(struct yl_plan *p, const char *path, struct yl_err *err)
{
	char *text;
	int rc;

	text = yl_plan_text(p);
	rc = text ? yl_write_file(path, text) : -1;
	free(text);
	if (rc)
		return yl_errf(err, "--resume: %s: cannot write the extended plan: %s", path,
			       strerror(errno));
	fprintf(stderr, "compare: %s: extended to %u rounds\n", path, p->reps);
	return 0;
}

/*
 * The plan, from the command line or --resume DIR, checked as a whole
 * before anything is written: exit 2 for a bad plan, 3 for a host that
 * cannot run any of it.
 */
static int plan_for(const struct yl_config *cfg, const char *out,
		    struct yl_plan *p)
{
	char path[PATH_MAX];
	struct yl_err err;
	bool native = cfg->mode == YL_MODE_NATIVE && !cfg->emit, extended;

	snprintf(path, sizeof(path), "%s/plan", out);
	if (cfg->resume_dir && yl_compare_dir_trusted(out, "--resume", &err))
		return yl_err_exit(&err);
	if (cfg->resume_dir ? yl_plan_load(p, path, &err) : yl_plan_build(p, cfg, &err))
		return yl_err_exit(&err);
	extended = cfg->resume_dir && yl_given(cfg, YL_O_REPS) && cfg->reps != p->reps;
	if (extended && yl_plan_extend(p, (unsigned int)cfg->reps, &err)) {
		yl_plan_free(p);
		return yl_err_exit(&err);
	}
	native = native && !p->sim;	/* a resumed sweep's mode is its plan's */
	if (yl_plan_check(p, native, &err) ||
	    (cfg->resume_dir && cfg->mode == YL_MODE_EMULATED &&
	     yl_usagef(&err, "--resume: not with --mode emulated, whose sweep is one boot")))
		return yl_err_exit(&err);
	if (yl_plan_size_ok(cfg, p)) {
		yl_plan_free(p);
		return YL_EXIT_USAGE;
	}
	if (extended && write_extended(p, path, &err))
		return yl_err_exit(&err);
	if (native && access("/dev/kvm", R_OK | W_OK)) {
		/* every run would fail the same way: say so once, run nothing */
		fprintf(stderr, "yieldlab: compare: /dev/kvm: %s (--mode emulated runs the sweep in the emulated KVM host)\n",
			strerror(errno));
		return YL_EXIT_HOST;
	}
	return 0;
}

/*
 * compare and merge confine themselves before they read a file
 * (sandbox.c's yl_sandbox_tool()): the programs they may run, yieldlab
 * itself for the runs (@yieldlab, or NULL for none) and gnuplot, are
 * opened first, and nothing else can be run after.
 */
int yl_compare_confine(const char *yieldlab, struct yl_err *err)
{
	int *gnuplot = yl_plots_gnuplot();
	int fds[2], n = 0;

	if (yieldlab) {
		yieldlab_fd = yl_open_program(yieldlab);
		if (yieldlab_fd < 0)
			return yl_errf(err, "compare: %s: not an executable file", yieldlab);
		fds[n++] = yieldlab_fd;
	}
	if (*gnuplot >= 0)
		fds[n++] = *gnuplot;
	if (yl_sandbox_tool(fds, (unsigned int)n, !yieldlab, err))
		return -1;
	if (yieldlab)
		yieldlab_fd = fds[0];
	if (*gnuplot >= 0)
		*gnuplot = fds[n - 1];
	return 0;
}

int yl_cmd_compare(const struct yl_config *cfg)
{
	char self[PATH_MAX], outbuf[64], *text;
	const char *out = cfg->resume_dir ? cfg->resume_dir : cfg->out_dir;
	const char *yieldlab = cfg->yieldlab_path;
	struct yl_outfile emit = { 0 };
	struct yl_plan p;
	struct yl_err err;
	int rc;

	self_path(self, sizeof(self));
	if (!yieldlab)
		yieldlab = self;
	if (!out) {
		default_out(outbuf, sizeof(outbuf));
		out = outbuf;
	}
	/* --mode emulated starts python and QEMU: a VMM of its own, unconfined */
	if (cfg->mode != YL_MODE_EMULATED &&
	    yl_compare_confine(cfg->emit ? NULL : yieldlab, &err))
		return yl_err_exit(&err);
	rc = plan_for(cfg, out, &p);
	/* before --out has anything in it */
	if (!rc && cfg->emit && yl_outfile_open(&emit, "--emit", cfg->emit_path, &err))
		rc = yl_err_exit(&err);
	text = rc ? NULL : yl_plan_text(&p);
	if (!rc && (!text || (!cfg->resume_dir &&
			      prepare_out(out, text, yl_given(cfg, YL_O_ONLY), &err)))) {
		if (!text)
			yl_errf(&err, "compare: out of memory");
		rc = yl_err_exit(&err);
	}
	free(text);
	if (rc)
		yl_outfile_abort(&emit);
	else
		rc = cfg->emit ? yl_emit(&p, cfg, yieldlab, out, &emit) :
		     cfg->mode == YL_MODE_EMULATED ? run_emulated(&p, yieldlab, out) :
		     sweep(cfg, &p, out, yieldlab);
	yl_plan_free(&p);
	return rc;
}

/*
 * --mode emulated: the whole sweep runs inside one boot of the emulated
 * KVM host (scripts/emuhost.py), whose --out comes back here; the report
 * is then built on this machine, where gnuplot is.
 */
static int run_emulated(const struct yl_plan *p, const char *yieldlab,
			const char *out)
{
	const char *argv[2 * YL_MAX_AXES * YL_MAX_AXIS_VALUES + 32];
	static char lists[YL_PLAN_ARGS_BYTES];
	const char *script = getenv("YIELDLAB_EMUHOST");
	char build[PATH_MAX], outabs[PATH_MAX], work[] = "/tmp/yieldlab-emuhost-XXXXXX";
	int n = 0, st, rc;
	pid_t pid;

	snprintf(build, sizeof(build), "%s", yieldlab);
	if (!script)
		script = YL_SOURCE_DIR "/scripts/emuhost.py";
	if (access(script, R_OK) || !realpath(out, outabs)) {
		fprintf(stderr, "compare: --mode emulated needs %s (set YIELDLAB_EMUHOST)\n",
			script);
		return YL_EXIT_HOST;
	}
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--host";
	argv[n++] = "emulated";
	argv[n++] = "--build";
	argv[n++] = dirname(build);
	argv[n++] = "--timeout";
	argv[n++] = "86400";
	argv[n++] = "--workdir";	/* its own: several sweeps may run at once */
	argv[n++] = mkdtemp(work) ? work : "/tmp";
	argv[n++] = "--";
	argv[n++] = "compare";
	n += yl_plan_args(p, argv + n, (int)ARRAY_SIZE(argv) - n - 4, lists,
			  sizeof(lists));
	argv[n++] = "--out";
	argv[n++] = outabs;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		/* the table comes from the report built here, with the plots */
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	rc = pid < 0 || waitpid(pid, &st, 0) < 0 ? YL_EXIT_HOST : exit_code_of(st);
	remove_tree(work);
	if (rc != 0 && rc != YL_EXIT_CHECK) {
		fprintf(stderr, "compare: the emulated host's sweep ended with %d\n", rc);
		return rc;
	}
	return report(out, false);
}
