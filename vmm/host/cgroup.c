// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup v2 placement, see cgroup.h.  The rules followed are those of
 * Documentation/admin-guide/cgroup-v2.rst ("Threads"): a cgroup turns
 * threaded by writing "threaded" to its cgroup.type, which makes its
 * parent the threaded domain; cpu is a threaded controller, so it can be
 * enabled in a threaded domain that also holds processes; and a thread
 * moves only within its threaded domain (cgroup.threads), so the whole
 * process goes to that domain first (cgroup.procs).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "cgroup.h"

#define RMDIR_TRIES	200	/* x 5 ms: an exiting thread may linger */

static int write_str(const char *dir, const char *file, const char *s)
{
	char path[YL_CG_PATH + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return yl_write_text(path, s);
}

static int read_file(const char *dir, const char *file, char *buf, size_t len)
{
	char path[YL_CG_PATH + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return yl_read_text(path, buf, len) < 0 ? -1 : 0;
}

static bool on_cgroup2(const char *path)
{
	struct statfs s;

	return !statfs(path, &s) && s.f_type == CGROUP2_SUPER_MAGIC;
}

/* "0::/a/b" from /proc/self/cgroup: the cgroup v2 line's path. */
int yl_cg_self_path(const char *proc_cgroup, char *buf, size_t len)
{
	const char *p = proc_cgroup;

	while (*p) {
		size_t l = strcspn(p, "\n");

		if (l > 3 && !strncmp(p, "0::", 3) && p[3] == '/' &&
		    l - 3 < len) {
			memcpy(buf, p + 3, l - 3);
			buf[l - 3] = 0;
			return 0;
		}
		p += l;
		p += *p == '\n';
	}
	return -1;
}

/* Whether a space-separated list (cgroup.controllers...) has WORD. */
int yl_cg_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (*p) {
		size_t l = strcspn(p, " \t\n");

		if (l == n && !strncmp(p, word, n))
			return 1;
		p += l;
		p += strspn(p, " \t\n");
	}
	return 0;
}

/* The deepest directory both absolute paths are in. */
int yl_cg_common(const char *a, const char *b, char *buf, size_t len)
{
	size_t i = 0, last = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '/')
			last = i;
		i++;
	}
	if ((!a[i] || a[i] == '/') && (!b[i] || b[i] == '/'))
		last = i;
	if (last >= len)
		return -1;
	memcpy(buf, a, last);
	buf[last] = 0;
	if (!last && len > 1)
		strcpy(buf, "/");
	return 0;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/*
 * A directory a run of ours made: .../yieldlab.PID or .../yieldlab.PID/vmK.
 * A crash-safety record names nothing else that will be removed.
 */
bool yl_cg_ours(const char *path)
{
	const char *base = strrchr(path, '/'), *up;

	if (path[0] != '/' || !base || strstr(path, "/.."))
		return false;
	if (!strncmp(base + 1, "yieldlab.", 9))
		return all_digits(base + 10);
	if (strncmp(base + 1, "vm", 2) || !all_digits(base + 3))
		return false;
	for (up = base - 1; up > path && *up != '/'; up--)
		;
	if (*up != '/' || strncmp(up + 1, "yieldlab.", 9))
		return false;
	return base - (up + 10) > 0 &&
	       strspn(up + 10, "0123456789") == (size_t)(base - (up + 10));
}

/* The cgroup2 mount, from mountinfo; only one mounted at its root. */
int yl_cg_find_mount(char *buf, size_t len)
{
	char info[16384], *line, *save;

	if (yl_read_text("/proc/self/mountinfo", info, sizeof(info)) < 0)
		return -1;
	for (line = strtok_r(info, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char root[64], mnt[YL_CG_PATH], *dash = strstr(line, " - ");

		if (!dash || strncmp(dash, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %63s %383s", root, mnt) != 2 ||
		    strcmp(root, "/") || strchr(mnt, '\\') || strlen(mnt) >= len)
			continue;
		strcpy(buf, mnt);
		return 0;
	}
	return -1;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

static int resolve_parent(struct yl_cgroup *cg, const char *opt,
			  struct yl_err *err)
{
	char want[PATH_MAX], real[PATH_MAX];

	if (opt[0] == '/')
		snprintf(want, sizeof(want), "%s", opt);
	else
		snprintf(want, sizeof(want), "%s/%s", cg->mount, opt);
	if (!realpath(want, real))
		return yl_errf(err, "--cgroup %s: %s: %s (allowed: an existing cgroup under %s)",
			       opt, want, strerror(errno), cg->mount);
	if (!under(real, cg->mount) || !on_cgroup2(real))
		return yl_errf(err, "--cgroup %s: %s is not a cgroup v2 directory (allowed: a cgroup under %s)",
			       opt, real, cg->mount);
	if (strlen(real) + 32 >= sizeof(cg->parent))
		return yl_errf(err, "--cgroup %s: path longer than %zu characters",
			       opt, sizeof(cg->parent) - 32);
	strcpy(cg->parent, real);
	return 0;
}

static int resolve_orig(struct yl_cgroup *cg, struct yl_err *err)
{
	char text[4096], rel[YL_CG_PATH];

	if (yl_read_text("/proc/self/cgroup", text, sizeof(text)) < 0 ||
	    yl_cg_self_path(text, rel, sizeof(rel)))
		return yl_errf(err, "--cgroup: this process is in no cgroup v2 cgroup (/proc/self/cgroup)");
	if (strstr(rel, "/.."))
		return yl_errf(err, "--cgroup: our own cgroup %s is outside the cgroup2 mount (another cgroup namespace?)",
			       rel);
	if (snprintf(cg->orig, sizeof(cg->orig), "%s%s", cg->mount,
		     strcmp(rel, "/") ? rel : "") >= (int)sizeof(cg->orig))
		return yl_errf(err, "--cgroup: our own cgroup's path is longer than %zu characters",
			       sizeof(cg->orig) - 1);
	return 0;
}

/*
 * cgroup v2's root offers the cpu controller only where no v1 hierarchy
 * holds it: on a hybrid host (v1 at /sys/fs/cgroup, v2 at .../unified,
 * as systemd mounts it without systemd.unified_cgroup_hierarchy=1) it
 * cannot be enabled anywhere in v2, so --cgroup cannot set cpu.weight.
 * @controllers: the root's cgroup.controllers.
 */
int yl_cg_cpu_offered(const char *mount, const char *controllers, struct yl_err *err)
{
	int n = (int)strcspn(controllers, "\n");

	if (yl_cg_has_word(controllers, "cpu"))
		return 0;
	if (strcmp(mount, "/sys/fs/cgroup"))
		return yl_errf(err, "--cgroup: cgroup v2 at %s has no cpu controller (its cgroup.controllers: '%.*s'): this hybrid host gives cpu to cgroup v1 at /sys/fs/cgroup; allowed: a host booted with systemd.unified_cgroup_hierarchy=1, or a run without --cgroup",
			       mount, n, controllers);
	return yl_errf(err, "--cgroup: cgroup v2 at %s has no cpu controller (its cgroup.controllers: '%.*s'): a cgroup v1 hierarchy holds it; allowed: a host where cgroup v1 does not mount cpu, or a run without --cgroup",
		       mount, n, controllers);
}

/* Only reads: paths, weights.  The checks that matter come in check. */
int yl_cg_resolve(struct yl_cgroup *cg, const struct yl_config *cfg,
		  struct yl_err *err)
{
	char list[1024];
	unsigned int k;

	memset(cg, 0, sizeof(*cg));
	if (!cfg->cgroup_parent)
		return 0;
	if (yl_cg_find_mount(cg->mount, sizeof(cg->mount)))
		return yl_errf(err, "--cgroup: no cgroup v2 hierarchy is mounted (see /proc/self/mountinfo)");
	if (read_file(cg->mount, "cgroup.controllers", list, sizeof(list)))
		return yl_errf(err, "--cgroup: %s/cgroup.controllers: %s", cg->mount, strerror(errno));
	if (yl_cg_cpu_offered(cg->mount, list, err) ||
	    resolve_parent(cg, cfg->cgroup_parent, err) || resolve_orig(cg, err))
		return -1;
	if (snprintf(cg->run, sizeof(cg->run), "%s/yieldlab.%d", cg->parent,
		     (int)getpid()) >= (int)sizeof(cg->run) ||
	    yl_cg_common(cg->orig, cg->run, cg->common, sizeof(cg->common)))
		return yl_errf(err, "--cgroup: path too long");
	cg->nr_vms = cfg->nr_vms;
	for (k = 0; k < cg->nr_vms; k++)
		cg->weight[k] = yl_vm_cpu_weight(cfg, k);
	cg->on = true;
	return 0;
}

/* What the host must offer; still nothing changes. */
int yl_cg_check(const struct yl_cgroup *cg, struct yl_err *err)
{
	char list[1024], offered[1024], type[64];

	if (!cg->on)
		return 0;
	if (read_file(cg->parent, "cgroup.subtree_control", list, sizeof(list)))
		return yl_errf(err, "--cgroup %s: reading cgroup.subtree_control: %s",
			       cg->parent, strerror(errno));
	if (!yl_cg_has_word(list, "cpu")) {
		list[strcspn(list, "\n")] = 0;
		if (read_file(cg->parent, "cgroup.controllers", offered, sizeof(offered)) ||
		    !yl_cg_has_word(offered, "cpu"))
			return yl_errf(err, "--cgroup %s: the cpu controller does not reach it: enable it in cgroup.subtree_control of every cgroup from %s down to its parent (echo +cpu > .../cgroup.subtree_control), then in its own; yieldlab changes no parent",
				       cg->parent, cg->mount);
		return yl_errf(err, "--cgroup %s: the cpu controller is not enabled for its children (cgroup.subtree_control: '%s'): echo +cpu > %s/cgroup.subtree_control; yieldlab changes no parent",
			       cg->parent, list, cg->parent);
	}
	if (!access(cg->run, F_OK))
		return yl_errf(err, "--cgroup: %s already exists", cg->run);
	if (!read_file(cg->orig, "cgroup.type", type, sizeof(type)) &&
	    strncmp(type, "domain\n", 7))
		return yl_errf(err, "--cgroup: our cgroup %s is of type '%.*s'; allowed: a domain cgroup",
			       cg->orig, (int)strcspn(type, "\n"), type);
	return 0;
}

void yl_cg_vm_path(const struct yl_cgroup *cg, unsigned int vm, char *buf,
		   size_t len)
{
	snprintf(buf, len, "%s/vm%u", cg->run, vm);
}

static int make_vm(struct yl_cgroup *cg, unsigned int k, struct yl_err *err)
{
	char dir[YL_CG_PATH + 16], w[16];

	yl_cg_vm_path(cg, k, dir, sizeof(dir));
	if (mkdir(dir, 0755))
		return yl_errf(err, "--cgroup: mkdir %s: %s", dir, strerror(errno));
	cg->made++;
	if (write_str(dir, "cgroup.type", "threaded"))
		return yl_errf(err, "--cgroup: making %s threaded: %s", dir,
			       strerror(errno));
	if (!cg->weight[k])
		return 0;
	snprintf(w, sizeof(w), "%u", cg->weight[k]);
	if (write_str(dir, "cpu.weight", w))
		return yl_errf(err, "--cpu-weight %u: writing %s/cpu.weight: %s",
			       cg->weight[k], dir, strerror(errno));
	return 0;
}

/*
 * The order matters: cpu enabled while the run's cgroup is still empty,
 * the children threaded before the process moves in (a domain with
 * processes and enabled controllers must be a threaded domain).
 */
int yl_cg_create(struct yl_cgroup *cg, struct yl_err *err)
{
	unsigned int k;

	if (!cg->on)
		return 0;
	if (mkdir(cg->run, 0755))
		return yl_errf(err, "--cgroup: mkdir %s: %s", cg->run, strerror(errno));
	cg->made = 1;
	if (write_str(cg->run, "cgroup.subtree_control", "+cpu"))
		return yl_errf(err, "--cgroup: enabling cpu in %s: %s", cg->run,
			       strerror(errno));
	for (k = 0; k < cg->nr_vms; k++)
		if (make_vm(cg, k, err))
			return -1;
	if (write_str(cg->run, "cgroup.procs", "0"))
		return yl_errf(err, "--cgroup: moving yieldlab into %s: %s", cg->run,
			       strerror(errno));
	cg->moved = true;
	return 0;
}

/* A vCPU thread into its VM's cgroup, before it first enters the guest. */
int yl_cg_place(const struct yl_cgroup *cg, unsigned int vm, pid_t tid,
		struct yl_err *err)
{
	char dir[YL_CG_PATH + 16], s[16];

	if (!cg->on)
		return 0;
	yl_cg_vm_path(cg, vm, dir, sizeof(dir));
	snprintf(s, sizeof(s), "%d", (int)tid);
	if (write_str(dir, "cgroup.threads", s))
		return yl_errf(err, "--cgroup: moving vCPU thread %d into %s: %s",
			       (int)tid, dir, strerror(errno));
	return 0;
}

/* cpu.stat usage_usec: CPU time the VM's cgroup was charged. */
int yl_cg_usage_us(const struct yl_cgroup *cg, unsigned int vm,
		   uint64_t *usec)
{
	char dir[YL_CG_PATH + 16], text[1024];
	const char *p;

	yl_cg_vm_path(cg, vm, dir, sizeof(dir));
	if (!cg->on || read_file(dir, "cpu.stat", text, sizeof(text)))
		return -1;
	p = strstr(text, "usage_usec ");
	return p && sscanf(p, "usage_usec %lu", usec) == 1 ? 0 : -1;
}

static int rmdir_wait(const char *dir)
{
	struct timespec ts = { 0, 5000000 };
	int i;

	for (i = 0; i < RMDIR_TRIES; i++) {
		if (!rmdir(dir) || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Back where we came from, then every directory made, deepest first. */
int yl_cg_remove(struct yl_cgroup *cg, FILE *log)
{
	char dir[YL_CG_PATH + 16];

	if (cg->moved) {
		if (write_str(cg->orig, "cgroup.procs", "0")) {
			if (log)
				fprintf(log, "yieldlab: moving back to cgroup %s: %s\n",
					cg->orig, strerror(errno));
			return -1;
		}
		cg->moved = false;
	}
	while (cg->made) {
		if (cg->made > 1)
			yl_cg_vm_path(cg, cg->made - 2, dir, sizeof(dir));
		else
			snprintf(dir, sizeof(dir), "%s", cg->run);
		if (rmdir_wait(dir)) {
			if (log)
				fprintf(log, "yieldlab: removing cgroup %s: %s\n",
					dir, strerror(errno));
			return -1;
		}
		cg->made--;
	}
	return 0;
}

/*
 * A directory named in a killed run's record: ours, under the cgroup2
 * mount with no symlink on the way (statfs() and rmdir() follow them),
 * on cgroup2, empty.
 */
int yl_cg_replay_rmdir(const char *path)
{
	char mount[YL_CG_PATH], real[PATH_MAX];

	if (!yl_cg_ours(path) || yl_cg_find_mount(mount, sizeof(mount)) ||
	    !under(path, mount) || !strcmp(path, mount))
		return -1;
	if (access(path, F_OK))
		return 0;
	if (!realpath(path, real) || strcmp(real, path) || !on_cgroup2(path))
		return -1;
	return rmdir_wait(path);
}
