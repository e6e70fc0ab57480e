// SPDX-License-Identifier: GPL-2.0
/*
 * compare's plots and report.html.  gnuplot (Debian gnuplot-nox) draws
 * SVG from .gp and .dat files kept in plots/, so a user can restyle and
 * redraw them; report.html inlines the SVGs and the tables, and loads
 * nothing else.  Without gnuplot the .gp files are still written and the
 * report says which plots are missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compare.h"
#include "lib/confine.h"
#include "lib/safeio.h"

struct plot {
	const char *name, *caption;
};

static const struct plot plots[] = {
	{ "throughput", "Throughput: median of the runs, bars the bootstrap interval of the median; against vCPUs per pCPU where the sweep varies it, else per cell" },
	{ "fairness", "Fairness per cell: Jain's index of per-vCPU lock ops and of per-vCPU CPU time (1 = equal), median and interval" },
	{ "latency", "Lock acquire latency (IPI round trip in an IPI-only sweep): fraction of all acquisitions (IPI ops) per power-of-two bucket, every vCPU and run of a cell together" },
};

#define TERM	"set terminal svg size 900,520 font 'sans,11' background '#ffffff' noenhanced\n"

static FILE *open_in(const char *dir, const char *name, const char *ext)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	return yl_fopen_write(path);
}

/*
 * A cell's label as a quoted string of a .dat file.  Labels come from
 * plans and command lines, which another user may have written, so they
 * never enter the .gp script: gnuplot substitutes `backquotes` even inside
 * quoted strings there.  Data files are only data: the script reads a
 * label with `title columnheader(1)` or xtic().  A data string cannot
 * hold its own quote or a line break: those become ' and ?.
 */
static void dat_label(FILE *d, const char *label)
{
	const char *c;

	fputc('"', d);
	for (c = label; *c; c++)
		fputc(*c == '"' ? '\'' : (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, d);
	fputc('"', d);
}

/* A plot's data and script, both open or neither. */
static int open_plot(const char *dir, const char *name, FILE **d, FILE **g)
{
	*d = open_in(dir, name, "dat");
	*g = open_in(dir, name, "gp");
	if (*d && *g)
		return 0;
	if (*d)
		fclose(*d);
	if (*g)
		fclose(*g);
	return -1;
}

/* The cell's label without the axes the x axis already shows. */
static void series_label(const struct yl_sweep *s, unsigned int c, char *buf,
			 size_t len)
{
	yl_plan_label_skip(&s->plan, c, 1ull << YL_O_VCPUS | 1ull << YL_O_PCPUS |
			   1ull << YL_O_VMS, buf, len);
}

static bool swept(const struct yl_sweep *s, enum yl_opt_id opt)
{
	int a = yl_plan_axis_of(&s->plan, opt);

	return a >= 0 && s->plan.axes[a].nr > 1;
}

/* Whether the sweep varies the vCPU:pCPU ratio at all. */
static bool sweeps_oversub(const struct yl_sweep *s)
{
	return swept(s, YL_O_VCPUS) || swept(s, YL_O_PCPUS) || swept(s, YL_O_VMS);
}

/*
 * A sweep at one vCPU:pCPU ratio (policies, locks...): one point per
 * cell, labelled on the x axis, rather than every series stacked on one x.
 */
static int throughput_cells(const struct yl_sweep *s, FILE *d, FILE *g)
{
	char title[64], label[512];
	unsigned int c, m = s->primary;

	for (c = 0; c < s->plan.nr_cells; c++) {
		const struct yl_describe *x = &s->cells[c].d[m];

		yl_plan_label(&s->plan, c, label, sizeof(label));
		fprintf(d, "%u ", c);
		dat_label(d, label);
		fprintf(d, " %.10g %.10g %.10g\n", x->n ? x->median : NAN, x->ci_lo, x->ci_hi);
	}
	yl_metric_title(m, title, sizeof(title));
	fprintf(g, TERM "set output 'throughput.svg'\nset title '%s per cell'\n"
		"set ylabel '%s (median)'\nset yrange [0:*]\nset grid ytics\n"
		"set xtics rotate by -30\nset offsets 0.5, 0.5, 0, 0\nset bmargin 8\n"
		"set datafile missing 'nan'\n"
		"plot 'throughput.dat' using 1:3:4:5:xtic(2) with yerrorbars pt 7 lw 2 notitle\n",
		title, title);
	return fclose(d) | fclose(g);
}

static int throughput(const struct yl_sweep *s, const char *dir)
{
	char title[64], label[512], other[512];
	unsigned int c, c2, m = s->primary, nr = 0, series = 0;
	bool *done = calloc(s->plan.nr_cells, sizeof(*done));
	FILE *d, *g;

	if (!done || open_plot(dir, "throughput", &d, &g)) {
		free(done);
		return -1;
	}
	if (!sweeps_oversub(s)) {
		free(done);
		return throughput_cells(s, d, g);
	}
	/* series side by side around each x, so intervals do not hide each other */
	for (c = 0; c < s->plan.nr_cells; c++) {
		series_label(s, c, label, sizeof(label));
		for (c2 = 0; c2 < c; c2++) {
			series_label(s, c2, other, sizeof(other));
			if (!strcmp(label, other))
				break;
		}
		series += c2 == c;
	}
	yl_metric_title(m, title, sizeof(title));
	fprintf(g, TERM "set output 'throughput.svg'\nset title '%s by vCPU:pCPU ratio'\n"
		"set xlabel 'vCPUs per pCPU'\nset ylabel '%s (median)'\nset key outside right\n"
		"set grid\nset offsets 0.25, 0.25, 0, 0\nset yrange [0:*]\nplot", title, title);
	for (c = 0; c < s->plan.nr_cells; c++) {
		if (done[c])
			continue;
		series_label(s, c, label, sizeof(label));
		dat_label(d, label);
		fputs(" \"\" \"\" \"\"\n", d);
		for (c2 = c; c2 < s->plan.nr_cells; c2++) {
			const struct yl_describe *x = &s->cells[c2].d[m];

			series_label(s, c2, other, sizeof(other));
			if (strcmp(label, other))
				continue;
			done[c2] = true;
			if (x->n && !isnan(s->cells[c2].oversub))
				fprintf(d, "%.6g %.10g %.10g %.10g\n", s->cells[c2].oversub,
					x->median, x->ci_lo, x->ci_hi);
		}
		fputs("\n\n", d);
		fprintf(g, "%s 'throughput.dat' index %u using ($1%+.3f):2:3:4 with yerrorlines lw 2 pt 7 title columnheader(1)",
			nr ? ", \\\n    " : " ", nr, 0.04 * (nr - (series - 1) / 2.0));
		nr++;
	}
	fputc('\n', g);
	free(done);
	return fclose(d) | fclose(g);
}

static int fairness(const struct yl_sweep *s, const char *dir)
{
	char label[512];
	unsigned int c;
	FILE *d, *g;

	if (open_plot(dir, "fairness", &d, &g))
		return -1;
	for (c = 0; c < s->plan.nr_cells; c++) {
		const struct yl_describe *o = &s->cells[c].d[YL_M_JAIN_OPS];
		const struct yl_describe *t = &s->cells[c].d[YL_M_JAIN_CPU];

		yl_plan_label(&s->plan, c, label, sizeof(label));
		fprintf(d, "%u ", c);
		dat_label(d, label);
		fprintf(d, " %.10g %.10g %.10g %.10g %.10g %.10g\n",
			o->n ? o->median : NAN, o->ci_lo, o->ci_hi,
			t->n ? t->median : NAN, t->ci_lo, t->ci_hi);
	}
	fprintf(g, TERM "set output 'fairness.svg'\nset title 'Fairness between vCPUs'\n"
		"set ylabel \"Jain's index (1 = equal)\"\nset yrange [0:1.05]\nset grid ytics\n"
		"set xtics rotate by -30\nset offsets 0.5, 0.5, 0, 0\nset key outside right\n"
		"set bmargin 8\nset datafile missing 'nan'\n"
		"plot 'fairness.dat' using ($1-0.1):3:4:5:xtic(2) with yerrorbars pt 7 title 'per-vCPU ops', \\\n"
		"     '' using ($1+0.1):6:7:8 with yerrorbars pt 5 title 'per-vCPU CPU time'\n");
	return fclose(d) | fclose(g);
}

/* Lock acquire latency where the sweep has any, else the IPI round trip. */
static bool has_lock_latency(const struct yl_sweep *s)
{
	unsigned int k, b;

	for (k = 0; k < s->plan.nr_runs; k++)
		for (b = 0; b < YL_LAT_BUCKETS; b++)
			if (s->runs[k].status == YL_RUN_OK && s->runs[k].lat_hist[b])
				return true;
	return false;
}

/* One cell's histogram, its runs together; its TSC rate in *khz. */
static uint64_t cell_hist(const struct yl_sweep *s, unsigned int c, bool lock,
			  uint64_t *h, double *khz)
{
	uint64_t total = 0;
	unsigned int k, b;

	for (k = 0; k < s->plan.nr_runs; k++) {
		const struct yl_run_rec *r = &s->runs[k];

		if (s->plan.order[k] != c || r->status != YL_RUN_OK)
			continue;
		for (b = 0; b < YL_LAT_BUCKETS; b++) {
			h[b] += lock ? r->lat_hist[b] : r->ipi_hist[b];
			total += lock ? r->lat_hist[b] : r->ipi_hist[b];
		}
		*khz = r->tsc_khz;
	}
	return total;
}

static int latency(const struct yl_sweep *s, const char *dir)
{
	bool lock = has_lock_latency(s);
	char label[512];
	unsigned int c, b, nr = 0;
	FILE *d, *g;

	if (open_plot(dir, "latency", &d, &g))
		return -1;
	fprintf(g, TERM "set output 'latency.svg'\nset title '%s'\n"
		"set logscale x 2\nset format x '%%.0s%%c'\nset xlabel '%s, ns (bucket upper bound)'\n"
		"set ylabel 'fraction of %s'\nset grid\nset key outside right\nplot",
		lock ? "Lock acquire latency" : "IPI round trip",
		lock ? "acquire latency" : "round trip", lock ? "acquisitions" : "IPI ops");
	for (c = 0; c < s->plan.nr_cells; c++) {
		uint64_t h[YL_LAT_BUCKETS] = { 0 }, total;
		double khz = 0;

		total = cell_hist(s, c, lock, h, &khz);
		if (!total || !(khz > 0))
			continue;
		yl_plan_label(&s->plan, c, label, sizeof(label));
		dat_label(d, label);
		fputs(" \"\"\n", d);
		for (b = 0; b < YL_LAT_BUCKETS; b++)
			if (h[b])
				fprintf(d, "%.6g %.6g\n", ldexp(2.0, (int)b) * 1e6 / khz,
					(double)h[b] / (double)total);
		fputs("\n\n", d);
		fprintf(g, "%s 'latency.dat' index %u using 1:2 with linespoints lw 2 title columnheader(1)",
			nr ? ", \\\n    " : " ", nr);
		nr++;
	}
	/* no samples (async IPIs only): an empty chart that says so */
	if (!nr)
		fputs(" [1:2] [0:1] -1 notitle\nset label 'no samples' at graph 0.5, 0.5 center\n"
		      "replot", g);
	fputc('\n', g);
	return fclose(d) | fclose(g);
}

static int gnuplot_fd = -1;

/* gnuplot, opened before the command confines itself (yl_compare_confine). */
int *yl_plots_gnuplot(void)
{
	if (gnuplot_fd < 0)
		gnuplot_fd = yl_open_program("gnuplot");
	return &gnuplot_fd;
}

/*
 * gnuplot runs with no capability and under the command's filter, which
 * lets it exec nothing (sandbox.c): whatever a .gp file says, it can draw
 * and write files as an unprivileged root, no more.
 */
static void gnuplot_child(const char *dir, const char *name, const char *gp)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char *argv[] = { "gnuplot", (char *)gp, NULL };
	struct yl_err err;
	char log[80];
	int lfd;

	if (chdir(dir) || yl_drop_all_caps(&err))
		_exit(126);
	snprintf(log, sizeof(log), "%s.log", name);
	lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		   0644);
	if (fd >= 0)
		dup2(fd, 1);
	if (lfd >= 0)
		dup2(lfd, 2);
	fexecve(*yl_plots_gnuplot(), argv, environ);
	_exit(127);
}

static int gnuplot(const char *dir, const char *name)
{
	char gp[64];
	int st;
	pid_t pid;

	if (*yl_plots_gnuplot() < 0)
		return 127;
	snprintf(gp, sizeof(gp), "%s.gp", name);
	pid = fork();
	if (pid == 0)
		gnuplot_child(dir, name, gp);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int yl_write_plots(const struct yl_sweep *s, const char *out)
{
	char dir[PATH_MAX];
	unsigned int k;
	int rc;

	snprintf(dir, sizeof(dir), "%s/plots", out);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	if (throughput(s, dir) || fairness(s, dir) || latency(s, dir))
		return -1;
	for (k = 0; k < ARRAY_SIZE(plots); k++) {
		rc = gnuplot(dir, plots[k].name);
		if (rc == 127) {
			fprintf(stderr, "compare: plots: gnuplot not found (Debian gnuplot-nox); %s/*.gp kept\n",
				dir);
			return -1;
		}
		if (rc)
			fprintf(stderr, "compare: plots: gnuplot %s.gp failed (%d): see %s/%s.log\n",
				plots[k].name, rc, dir, plots[k].name);
	}
	return 0;
}

/* Text as HTML text: nothing in it can open a tag or an entity. */
static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* An SVG file inline, from its <svg> on (no XML prolog, no doctype). */
static bool inline_svg(FILE *f, const char *path)
{
	char *svg = yl_read_file(path, 16u << 20), *start;

	start = svg ? strstr(svg, "<svg") : NULL;
	if (start)
		fputs(start, f);
	free(svg);
	return start;
}

static const char style[] =
	"body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}"
	"table{border-collapse:collapse;margin:1em 0;font-size:14px}"
	"td{border:1px solid #bbb;padding:3px 8px;text-align:right}"
	"td:first-child{text-align:left}tr:first-child td{font-weight:bold;background:#eee}"
	"figure{margin:2em 0}figcaption{color:#555;font-size:14px}"
	".missing{color:#a00}";

int yl_write_html(const struct yl_sweep *s, const char *out, const char *table_html)
{
	char path[PATH_MAX];
	unsigned int k, d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.html", out);
	f = yl_fopen_write(path);
	if (!f)
		return -1;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>yieldlab compare</title><style>%s</style></head><body>\n", style);
	fputs(table_html, f);
	for (k = 0; k < ARRAY_SIZE(plots); k++) {
		snprintf(path, sizeof(path), "%s/plots/%s.svg", out, plots[k].name);
		fprintf(f, "<figure id=\"plot-%s\">\n", plots[k].name);
		if (!inline_svg(f, path))
			fprintf(f, "<p class=\"missing\">not drawn: gnuplot did not run (plots/%s.gp is kept)</p>",
				plots[k].name);
		fprintf(f, "\n<figcaption>%s</figcaption></figure>\n", plots[k].caption);
	}
	fputs("<h2>Plan</h2>\n<pre>", f);
	html_text(f, s->plan_text);
	fputs("</pre>\n<p>Runs from:", f);
	for (d = 0; d < s->nr_dirs; d++) {
		fputc(' ', f);
		html_text(f, s->dirs[d]);
	}
	fputs(". Every run's command, JSON and stderr are under runs/; the numbers are in "
	      "<a href=\"cells.csv\">cells.csv</a>, <a href=\"runs.csv\">runs.csv</a> and "
	      "<a href=\"summary.json\">summary.json</a>.</p>\n</body></html>\n", f);
	return fclose(f);
}
