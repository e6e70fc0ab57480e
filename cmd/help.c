// SPDX-License-Identifier: GPL-2.0
/*
 * Everything a user reads about the command line, generated from cli.c's
 * tables: `yieldlab help [COMMAND]`, the man page yieldlab(1), bash
 * completion and the option list the documentation test checks against.
 */
#include <string.h>
#include "help.h"
#include "version.h"

#define WIDTH		79
#define HELP_COL	24

static const struct {
	int code;
	const char *text;
} exit_codes[] = {
	{ YL_EXIT_OK, "the run completed and every check held (compare: every run did)" },
	{ YL_EXIT_CHECK, "a check failed or the guest panicked (compare: a run failed twice)" },
	{ YL_EXIT_USAGE, "bad command line or input file" },
	{ YL_EXIT_HOST, "the host or KVM cannot do it, or a host error" },
	{ YL_EXIT_GUEST, "guest fault, or an exit yieldlab cannot handle" },
	{ YL_EXIT_TIMEOUT, "the watchdog (--timeout) stopped the guest" },
	{ YL_EXIT_SECCOMP, "a thread made a system call its seccomp filter forbids" },
	{ YL_EXIT_NOTHING, "--strict: the run completed but compared nothing (a warning says why)" },
	{ YL_EXIT_SIGNAL, "stopped by a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM...)" },
};

static const char *const examples[][2] = {
	{ "yieldlab run", "4 vCPUs on 1 pCPU, ticket lock, the host schedules" },
	{ "yieldlab compare --sched coop --pv yield --policy none,handoff --reps 20",
	  "which policy wins, by how much, how surely (docs/compare.md)" },
	{ "yieldlab run --vcpus 8 --pv yield",
	  "8:1 with directed yield, after a waiter spun 100 us (--spin-us)" },
	{ "yieldlab run --sched coop --vcpus 8 --pcpus 0-1 --policy handoff --pv yield",
	  "yieldlab schedules; hints hand the pCPU to the lock holder" },
	{ "yieldlab run --vcpus 16 --pcpus 0-1 --lock tas --json out.json",
	  "16:2, every statistic as JSON" },
	{ "yieldlab caps", "what this host can do" },
};


/* The default as help shows it, "" if none. */
static void opt_default(const struct yl_opt *o, char *buf, size_t len)
{
	if (o->def)
		snprintf(buf, len, "default %s", o->def);
	else if (o->def_doc)
		snprintf(buf, len, "default: %s", o->def_doc);
	else
		buf[0] = 0;
}

/* "N (1-256, default 4)": what follows the help sentence. */
static void opt_suffix(const struct yl_opt *o, char *buf, size_t len)
{
	char def[128];

	opt_default(o, def, sizeof(def));
	if (o->kind == YL_OPT_UINT || o->kind == YL_OPT_U64)
		snprintf(buf, len, " (%llu-%llu%s%s)", (unsigned long long)o->min,
			 (unsigned long long)o->max, *def ? ", " : "", def);
	else if (*def)
		snprintf(buf, len, " (%s)", def);
	else
		buf[0] = 0;
}

/* The option and its value as a user types it: "--lock tas|ticket". */
static void opt_synopsis(const struct yl_opt *o, char *buf, size_t len)
{
	char names[256];

	if (o->kind == YL_OPT_FLAG) {
		snprintf(buf, len, "%s", o->name);
		return;
	}
	if (o->name_at)
		yl_opt_names(o, names, sizeof(names));
	snprintf(buf, len, "%s %s%s", o->name, o->name_at ? names : o->metavar,
		 o->parse2 ? " FILE" : "");	/* --emit KIND FILE */
}

/* Words of @s wrapped to WIDTH, every line after @col indented to it. */
static void wrap(FILE *f, const char *s, unsigned int col, unsigned int at)
{
	while (*s) {
		size_t w = strcspn(s, " ");

		if (at > col && at + 1 + w > WIDTH) {
			fprintf(f, "\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fwrite(s, 1, w, f);
		at += (unsigned int)w;
		s += w;
		s += strspn(s, " ");
	}
	fputc('\n', f);
}

static void print_opt(FILE *f, const struct yl_opt *o)
{
	char syn[300], text[1024], suffix[200];
	int n;

	opt_synopsis(o, syn, sizeof(syn));
	opt_suffix(o, suffix, sizeof(suffix));
	snprintf(text, sizeof(text), "%s%s", o->help, suffix);
	n = fprintf(f, "  %s", syn);
	if (n + 2 > HELP_COL) {
		fputc('\n', f);
		n = 0;
	}
	fprintf(f, "%*s", HELP_COL - n, "");
	wrap(f, text, HELP_COL, HELP_COL);
}

static void print_cmd_options(FILE *f, enum yl_cmd cmd)
{
	unsigned int g, k;

	for (g = 0; g < YL_GRP_NR; g++) {
		bool title = false;

		for (k = 0; k < YL_O_NR; k++) {
			if (yl_opts[k].group != g || !yl_opt_takes(&yl_opts[k], cmd))
				continue;
			if (!title)
				fprintf(f, "\n%s:\n", yl_group_titles[g]);
			title = true;
			print_opt(f, &yl_opts[k]);
		}
	}
}

static void print_exit_codes(FILE *f)
{
	unsigned int k;

	fputs("\nexit codes:\n", f);
	for (k = 0; k < ARRAY_SIZE(exit_codes); k++)
		fprintf(f, "  %-4d %s\n", exit_codes[k].code, exit_codes[k].text);
}

/* compare takes run's options too, each as a list of values to sweep. */
static void print_axes_note(FILE *f)
{
	char list[256] = "", no[128] = "", text[512];
	unsigned int k;

	for (k = 0; k < YL_O_NR; k++) {
		const struct yl_opt *o = &yl_opts[k];
		char *dst = o->flags & YL_OF_LIST ? list : no;
		size_t len = o->flags & YL_OF_LIST ? sizeof(list) : sizeof(no);

		if (yl_opt_takes(o, YL_CMD_RUN) && o->flags & (YL_OF_LIST | YL_OF_NO_AXIS))
			snprintf(dst + strlen(dst), len - strlen(dst), "%s%s",
				 *dst ? ", " : "", o->name);
	}
	fputs("\n  ", f);
	wrap(f, "Takes every option of 'yieldlab run' (see yieldlab help run) with a comma list of values to sweep: the cells are their cartesian product, each run REPS times in interleaved rounds, --policy (else the first option with several values) compared against its first value (or --baseline).", 2, 2);
	snprintf(text, sizeof(text), "Give these once per value instead, their values being lists: %s. compare sets these itself: %s.",
		 list, no);
	fputs("  ", f);
	wrap(f, text, 2, 2);
}

void yl_usage(FILE *f, enum yl_cmd cmd)
{
	unsigned int k;

	if (cmd < YL_CMD_NR && !yl_cmd_is_meta(cmd)) {
		fprintf(f, "usage: yieldlab %s %s\n  %s\n", yl_cmds[cmd].name,
			yl_cmds[cmd].args, yl_cmds[cmd].summary);
		if (cmd == YL_CMD_COMPARE)
			print_axes_note(f);
		print_cmd_options(f, cmd);
		print_exit_codes(f);
		return;
	}
	fprintf(f, "yieldlab %s\ndirected-yield experiments on an oversubscribed KVM host\n\n",
		YL_VERSION);
	fputs("usage: yieldlab COMMAND [options]\n\ncommands:\n", f);
	for (k = 0; k < YL_CMD_NR; k++)
		fprintf(f, "  %-14s %s\n", yl_cmds[k].name, yl_cmds[k].summary);
	fputs("\nexamples:\n", f);
	for (k = 0; k < ARRAY_SIZE(examples); k++)
		fprintf(f, "  %s\n      %s\n", examples[k][0], examples[k][1]);
	print_exit_codes(f);
	fputs("\n`yieldlab help COMMAND` lists a command's options; man yieldlab has them all.\n", f);
}

/* Text for troff: a leading dot or quote escaped, '-' and '\' escaped. */
static void man_text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '-' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void man_opt(FILE *f, const struct yl_opt *o)
{
	char syn[300], suffix[200], cmds[192] = "";
	unsigned int c;

	opt_synopsis(o, syn, sizeof(syn));
	opt_suffix(o, suffix, sizeof(suffix));
	for (c = 0; c < YL_CMD_NR; c++)
		if (yl_opt_listed(o, c))
			snprintf(cmds + strlen(cmds), sizeof(cmds) - strlen(cmds),
				 "%s%s%s", *cmds ? ", " : "", yl_cmds[c].name,
				 yl_opt_takes(o, c) ? "" : " (values to sweep)");
	fputs(".TP\n.B ", f);
	man_text(f, syn);
	fputc('\n', f);
	man_text(f, o->help);
	man_text(f, suffix);
	fputs(". Commands: ", f);
	man_text(f, cmds);
	fputs(".\n", f);
}

static void man_page(FILE *f)
{
	unsigned int g, k;

	fprintf(f, ".TH YIELDLAB 1 \"\" \"yieldlab %s\" \"User Commands\"\n", YL_VERSION);
	fputs(".SH NAME\nyieldlab \\- directed\\-yield experiments on an oversubscribed KVM host\n", f);
	fputs(".SH SYNOPSIS\n", f);
	for (k = 0; k < YL_CMD_NR; k++) {
		fputs(".B yieldlab ", f);
		man_text(f, yl_cmds[k].name);
		fputs("\n", f);
		man_text(f, yl_cmds[k].args);
		fputs("\n.br\n", f);
	}
	fputs(".SH DESCRIPTION\n"
	      "yieldlab boots a small test guest whose vCPUs contend for spinlocks and IPIs on fewer\n"
	      "physical CPUs than vCPUs, lets the host kernel (its yield_to() path) or its own\n"
	      "EEVDF model (\\fB\\-\\-sched coop\\fR) schedule them, and reports lock throughput,\n"
	      "latencies, fairness, yields, exits and steal time, cross\\-checked against KVM's and\n"
	      "the host's own statistics.\n.SH COMMANDS\n", f);
	for (k = 0; k < YL_CMD_NR; k++) {
		fputs(".TP\n.B ", f);
		man_text(f, yl_cmds[k].name);
		fputc('\n', f);
		man_text(f, yl_cmds[k].summary);
		fputs(".\n", f);
	}
	fputs(".SH OPTIONS\n", f);
	for (g = 0; g < YL_GRP_NR; g++) {
		fputs(".SS ", f);
		man_text(f, yl_group_titles[g]);
		fputc('\n', f);
		for (k = 0; k < YL_O_NR; k++)
			if (yl_opts[k].group == g)
				man_opt(f, &yl_opts[k]);
	}
	fputs(".SH EXIT STATUS\n", f);
	for (k = 0; k < ARRAY_SIZE(exit_codes); k++) {
		fprintf(f, ".TP\n.B %d\n", exit_codes[k].code);
		man_text(f, exit_codes[k].text);
		fputs(".\n", f);
	}
	fputs(".SH EXAMPLES\n", f);
	for (k = 0; k < ARRAY_SIZE(examples); k++) {
		fputs(".TP\n.B ", f);
		man_text(f, examples[k][0]);
		fputc('\n', f);
		man_text(f, examples[k][1]);
		fputs(".\n", f);
	}
	fputs(".SH SEE ALSO\n", f);
	man_text(f, YL_DOC_DIR);
	fputs(" (installed with the binary; docs/ in the source): README.md, and the report\n"
	      "and its checks (report.md), the JSON schemas (schema/), compare.md, coop.md, the\n"
	      "sched/ model (model.md), sim.md, kvm_pvm hosts, the emulated KVM host.\n", f);
}

/* The words completion offers after @o, or a file name. */
static void bash_values(FILE *f, const struct yl_opt *o)
{
	char names[256];
	unsigned int i;

	if (o->kind == YL_OPT_FLAG)
		return;
	fprintf(f, "\t%s)\n", o->name);
	if (o->name_at) {
		yl_opt_names(o, names, sizeof(names));
		for (i = 0; names[i]; i++)
			if (names[i] == '|')
				names[i] = ' ';
		fprintf(f, "\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\")); return;;\n", names);
	} else if (o->metavar && (!strcmp(o->metavar, "FILE") ||
				  !strcmp(o->metavar, "PATH") ||
				  !strcmp(o->metavar, "PARENT"))) {
		fputs("\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return;;\n", f);
	} else if (o->metavar && !strcmp(o->metavar, "DIR")) {
		fputs("\t\tCOMPREPLY=($(compgen -d -- \"$cur\")); return;;\n", f);
	} else {
		fputs("\t\treturn;;\n", f);
	}
}

/* Each command's first word once: "run caps bench help version". */
static void first_words(char *buf, size_t len)
{
	size_t n = 0, w;
	unsigned int k;

	buf[0] = 0;
	for (k = 0; k < YL_CMD_NR; k++) {
		w = strcspn(yl_cmds[k].name, " ");
		if (k && !strncmp(yl_cmds[k - 1].name, yl_cmds[k].name, w) &&
		    yl_cmds[k - 1].name[w] == ' ')
			continue;	/* "bench handoff" after "bench exits" */
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%.*s",
				      n ? " " : "", (int)w, yl_cmds[k].name);
	}
}

static void bash_completion(FILE *f)
{
	char first[128], bench[64];
	unsigned int c, k;

	first_words(first, sizeof(first));
	yl_cmd_names(bench, sizeof(bench), "bench", false, " ");
	fprintf(f, "# bash completion for yieldlab, generated by `yieldlab help --bash-completion`\n"
		"_yieldlab()\n{\n"
		"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		"\tlocal cmd=${COMP_WORDS[1]}\n"
		"\tif [ \"$cmd\" = bench ] || [ \"$cmd\" = help ]; then\n"
		"\t\tcmd=\"$cmd ${COMP_WORDS[2]}\"\n\tfi\n"
		"\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
		"\t\tCOMPREPLY=($(compgen -W '%s --help --version' -- \"$cur\")); return\n"
		"\tfi\n"
		"\tif [ \"$COMP_CWORD\" -eq 2 ] && [ \"${COMP_WORDS[1]}\" = bench ]; then\n"
		"\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\")); return\n"
		"\tfi\n"
		"\tif [ \"${COMP_WORDS[1]}\" = help ]; then\n"
		"\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
		"\t\t\tCOMPREPLY=($(compgen -W '%s --man --bash-completion --options' -- \"$cur\"))\n"
		"\t\telif [ \"$COMP_CWORD\" -eq 3 ] && [ \"$prev\" = bench ]; then\n"
		"\t\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
		"\t\tfi\n\t\treturn\n"
		"\tfi\n"
		"\tcase \"$prev\" in\n", first, bench, first, bench);
	for (k = 0; k < YL_O_NR; k++)
		bash_values(f, &yl_opts[k]);
	fputs("\tesac\n\tcase \"$cmd\" in\n", f);
	for (c = 0; c < YL_CMD_NR; c++) {
		if (yl_cmd_is_meta(c))
			continue;
		fprintf(f, "\t'%s')\n\t\tCOMPREPLY=($(compgen -W '--help", yl_cmds[c].name);
		for (k = 0; k < YL_O_NR; k++)
			if (yl_opt_listed(&yl_opts[k], c))
				fprintf(f, " %s", yl_opts[k].name);
		/* merge DIR...: its directories are words of their own */
		fprintf(f, "' -- \"$cur\")%s);;\n",
			c == YL_CMD_MERGE ? " $(compgen -d -- \"$cur\")" : "");
	}
	fputs("\tesac\n}\ncomplete -F _yieldlab yieldlab\n", f);
}

/* NAME TAB COMMANDS, for tests and scripts. */
static void option_list(FILE *f)
{
	unsigned int c, k;

	for (k = 0; k < YL_O_NR; k++) {
		fprintf(f, "%s\t", yl_opts[k].name);
		for (c = 0; c < YL_CMD_NR; c++)
			if (yl_opt_takes(&yl_opts[k], c))
				fprintf(f, "%s,", yl_cmds[c].name);
		fputc('\n', f);
	}
	fputs("--help\thelp,\n--version\tversion,\n", f);
}

int yl_help(FILE *f, enum yl_help_format fmt, enum yl_cmd cmd)
{
	switch (fmt) {
	case YL_HELP_TEXT:
		yl_usage(f, cmd);
		break;
	case YL_HELP_MAN:
		man_page(f);
		break;
	case YL_HELP_BASH:
		bash_completion(f);
		break;
	case YL_HELP_OPTIONS:
		option_list(f);
		break;
	}
	return fflush(f) || ferror(f) ? YL_EXIT_HOST : YL_EXIT_OK;
}
