// SPDX-License-Identifier: GPL-2.0
/*
 * Values on the command line and in plans, parsed as untrusted and
 * formatted back: integers in a range, enum names, CPU lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "options.h"

/* Appends @s to the list in @buf, after @sep unless first; @n its length. */
void yl_cli_join(char *buf, size_t len, size_t *n, const char *sep,
		 const char *s)
{
	size_t at = *n < len ? *n : len;

	*n += (size_t)snprintf(buf + at, len - at, "%s%s", *n ? sep : "", s);
}

/* An enum option's names as "a|b|c"; returns the length it needed. */
size_t yl_opt_names(const struct yl_opt *o, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;
	const char *s;

	if (len)
		buf[0] = 0;
	for (i = 0; o->name_at && (s = o->name_at(i)); i++)
		yl_cli_join(buf, len, &n, "|", s);
	return n;
}

int yl_cli_parse_enum(const struct yl_opt *o, const char *val,
		      unsigned int *out, struct yl_err *err)
{
	char allowed[256];
	unsigned int i;
	const char *s;

	for (i = 0; (s = o->name_at(i)); i++)
		if (!strcmp(val, s)) {
			*out = i;
			return 0;
		}
	yl_opt_names(o, allowed, sizeof(allowed));
	return yl_usagef(err, "%s '%s': unknown, allowed: %s", o->name, val, allowed);
}

/* Unsigned decimal in [min, max]; rejects signs, junk and overflow. */
int yl_cli_parse_u64(const char *opt, const char *val, uint64_t min,
		     uint64_t max, uint64_t *out, struct yl_err *err)
{
	unsigned long long v;
	char *end;

	if (*val < '0' || *val > '9')	/* strtoull() takes space and signs */
		goto bad;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno || *end)
		goto bad;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return yl_usagef(err, "%s '%s': must be an integer from %llu to %llu",
		       opt, val, (unsigned long long)min,
		       (unsigned long long)max);
}

int yl_parse_cpulist(const char *s, cpu_set_t *set, struct yl_err *err)
{
	const char *p = s;

	CPU_ZERO(set);
	if (!*s)
		goto bad;
	while (*p) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
		}
		if (lo > hi || hi >= CPU_SETSIZE)
			goto bad;
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	return yl_usagef(err, "--pcpus '%s': must be a CPU list like 0 or 0-3,6 with CPUs below %d",
		       s, CPU_SETSIZE);
}

void yl_format_cpulist(const cpu_set_t *set, char *buf, size_t len)
{
	size_t o = 0;
	int c = 0;

	buf[0] = 0;
	while (c < CPU_SETSIZE && o < len) {
		int lo;

		if (!CPU_ISSET(c, set)) {
			c++;
			continue;
		}
		lo = c;
		while (c + 1 < CPU_SETSIZE && CPU_ISSET(c + 1, set))
			c++;
		o += snprintf(buf + o, len - o, lo == c ? "%s%d" : "%s%d-%d",
			      o ? "," : "", lo, c);
		c++;
	}
}
