// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "provenance.h"
#include "version.h"

static struct yl_prov prov = { .kvm_module = "none" };

/* /proc/cpuinfo's first "model name", or "?". */
static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256], *colon;

	snprintf(buf, len, "?");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(colon = strchr(line, ':')))
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, len, "%s", colon);
		break;
	}
	if (f)
		fclose(f);
}

static void put(char **p, char *end, const char *s)
{
	size_t n = strlen(s);

	if (n >= (size_t)(end - *p))
		n = (size_t)(end - *p) - 1;
	memcpy(*p, s, n);
	*p += n;
	**p = 0;
}

/* As a shell reads it back; control bytes become ? so it stays one line. */
static void quote_args(char *buf, size_t len, int argc, char **argv)
{
	char *p = buf, *end = buf + len, one[2] = "";
	int i;

	*p = 0;
	for (i = 0; i < argc; i++) {
		const char *s = argv[i];
		bool plain = *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789_./=,:+-@%") == strlen(s);

		if (i)
			put(&p, end, " ");
		if (!plain)
			put(&p, end, "'");
		for (; *s; s++) {
			one[0] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
			put(&p, end, *s == '\'' ? "'\\''" : one);
		}
		if (!plain)
			put(&p, end, "'");
	}
}

/*
 * What makes a platform's numbers unlike hardware's: measured on the
 * machines DESIGN.md describes.
 */
void yl_prov_caveats(char *buf, size_t len, const char *kvm_module,
		     const char *model)
{
	char *p = buf, *end = buf + len;

	*p = 0;
	if (!strcmp(kvm_module, "kvm_pvm"))
		put(&p, end, "kvm_pvm: KVM without VMX/SVM (no pause-loop exiting; KVM's hypercalls stall the calling vCPU; an exit about 13 us)");
	if (strstr(model, "TCG")) {
		if (*buf)
			put(&p, end, "; ");
		put(&p, end, "QEMU TCG: software-emulated CPU (times 30-60x hardware's; judge ratios and counts)");
	}
}

void yl_prov_init(int argc, char **argv, const char *kvm_module)
{
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (!uname(&u)) {
		snprintf(prov.hostname, sizeof(prov.hostname), "%s", u.nodename);
		snprintf(prov.kernel, sizeof(prov.kernel), "%s", u.release);
	}
	cpu_model(prov.cpu_model, sizeof(prov.cpu_model));
	prov.cores = n > 0 ? (unsigned int)n : 0;
	snprintf(prov.kvm_module, sizeof(prov.kvm_module), "%s", kvm_module);
	yl_prov_caveats(prov.caveats, sizeof(prov.caveats), kvm_module, prov.cpu_model);
	gmtime_r(&t, &tm);
	strftime(prov.started, sizeof(prov.started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	quote_args(prov.cmdline, sizeof(prov.cmdline), argc, argv);
}

const struct yl_prov *yl_prov(void)
{
	return &prov;
}

void yj_prov(struct yj *j)
{
	yj_obj(j, "provenance");
	yj_str(j, "hostname", prov.hostname);
	yj_str(j, "cpu_model", prov.cpu_model);
	yj_u64(j, "cores", prov.cores);
	yj_str(j, "kernel", prov.kernel);
	yj_str(j, "kvm_module", prov.kvm_module);
	yj_str(j, "caveats", prov.caveats);
	yj_str(j, "yieldlab_version", YL_VERSION);
	yj_str(j, "started", prov.started);
	yj_str(j, "command_line", prov.cmdline);
	yj_obj_end(j);
}

/* One Markdown line for a summary a person reads and quotes. */
void yl_prov_line(FILE *f)
{
	fprintf(f, "Made by yieldlab %s on %s (%s, %u cores), Linux %s, KVM %s, %s UTC.%s%s\n"
		"Command: `%s`\n",
		YL_VERSION, prov.hostname, prov.cpu_model, prov.cores, prov.kernel,
		prov.kvm_module, prov.started, *prov.caveats ? " Caveats: " : "",
		prov.caveats, prov.cmdline);
}
