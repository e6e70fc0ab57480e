// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler features for the duration of a run.
 *
 * Order of events: check everything (the file is readable, each feature
 * exists, we may write) before changing anything; write the record of
 * the original values (fsync'ed) before the first change; change; and
 * at the end write the originals back, then remove the record.  A run
 * killed by SIGKILL leaves its record behind; the next start finds
 * records whose process is gone and replays them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/capability.h>
#include <unistd.h>
#include "knobs.h"
#include "privs.h"

#define FEATURES_MAX	8192
#define RECORD_MAX	16384	/* features and (YL_MAX_VMS + 1) cgroups */

void yl_knobs_init(struct yl_knobs *k)
{
	memset(k, 0, sizeof(*k));
	k->features_path = YL_SCHED_FEATURES_PATH;
	k->state_dir = YL_STATE_DIR;
}

/*
 * Find NAME in a sched/features listing ("A NO_B C ..."): *on tells
 * whether it appears as NAME or NO_NAME.  Returns -1 if it does not.
 */
int yl_feat_state(const char *features, const char *name, bool *on)
{
	size_t n = strlen(name);
	const char *p = features;

	while (*p) {
		size_t len = strcspn(p, " \t\n");
		bool neg = len > 3 && !strncmp(p, "NO_", 3);
		const char *t = neg ? p + 3 : p;
		size_t tl = neg ? len - 3 : len;

		if (tl == n && !strncmp(t, name, n)) {
			*on = !neg;
			return 0;
		}
		p += len;
		p += strspn(p, " \t\n");
	}
	return -1;
}

static int write_feat(const char *path, const char *name, bool on)
{
	char buf[YL_SCHED_FEAT_LEN + 4];

	snprintf(buf, sizeof(buf), "%s%s", on ? "" : "NO_", name);
	return yl_write_text(path, buf);
}

/* Everything checked before anything changes; nothing changes here. */
int yl_knobs_check(struct yl_knobs *k, struct yl_config *cfg,
		   struct yl_err *err)
{
	char list[FEATURES_MAX];
	unsigned int i;

	if (yl_cg_check(&k->cg, err))
		return -1;
	if (k->cg.on && mkdir(k->state_dir, 0700) && errno != EEXIST)
		return yl_errf(err, "--cgroup: cannot create %s for the crash-safety record: %s",
			       k->state_dir, strerror(errno));
	if (!cfg->nr_feats)
		return 0;
	if (yl_read_text(k->features_path, list, sizeof(list)) < 0)
		return yl_errf(err, "--sched-feature: cannot read %s: %s (needs debugfs mounted and root%s)",
			       k->features_path, strerror(errno),
			       yl_cap_effective(CAP_DAC_OVERRIDE) ? "" : "; CAP_DAC_OVERRIDE is missing");
	for (i = 0; i < cfg->nr_feats; i++) {
		struct yl_knob_feat *f = &k->f[i];

		memcpy(f->name, cfg->feats[i].name, sizeof(f->name));
		f->want = cfg->feats[i].on;
		if (yl_feat_state(list, f->name, &f->orig)) {
			list[strcspn(list, "\n")] = 0;
			return yl_errf(err, "--sched-feature %s: this kernel has no such feature; allowed: %s",
				       f->name, list);
		}
		cfg->feats[i].orig = f->orig;
	}
	k->nr = cfg->nr_feats;
	if (access(k->features_path, W_OK))
		return yl_errf(err, "--sched-feature: %s is not writable: %s (needs root%s)",
			       k->features_path, strerror(errno),
			       yl_cap_effective(CAP_DAC_OVERRIDE) ? "" : "; CAP_DAC_OVERRIDE is missing");
	if (mkdir(k->state_dir, 0700) && errno != EEXIST)
		return yl_errf(err, "--sched-feature: cannot create %s for the crash-safety record: %s",
			       k->state_dir, strerror(errno));
	return 0;
}

/* The cgroups we will make, in the order they are made. */
static size_t record_cgroups(const struct yl_cgroup *cg, char *buf, size_t len)
{
	char dir[YL_CG_PATH + 16];
	size_t o = 0;
	unsigned int i;

	if (!cg->on)
		return 0;
	o += (size_t)snprintf(buf + o, len - o, "cgroup_dir %s\n", cg->run);
	for (i = 0; i < cg->nr_vms; i++) {
		yl_cg_vm_path(cg, i, dir, sizeof(dir));
		o += (size_t)snprintf(buf + o, len - o, "cgroup_dir %s\n", dir);
	}
	return o;
}

static int write_record(struct yl_knobs *k, struct yl_err *err)
{
	char buf[RECORD_MAX];
	size_t o = 0;
	unsigned int i;
	int fd;

	snprintf(k->record, sizeof(k->record), "%s/%d.restore", k->state_dir,
		 (int)getpid());
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "features %s\n",
			      k->features_path);
	for (i = 0; i < k->nr; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "sched_feature %s %d\n",
				      k->f[i].name, k->f[i].orig);
	o += record_cgroups(&k->cg, buf + o, sizeof(buf) - o);
	fd = open(k->record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, o) != (ssize_t)o || fsync(fd)) {
		if (fd >= 0)
			close(fd);
		unlink(k->record);
		return yl_errf(err, "crash-safety record %s: %s", k->record,
			       strerror(errno));
	}
	close(fd);
	k->recorded = true;
	return 0;
}

int yl_knobs_apply(struct yl_knobs *k, struct yl_err *err)
{
	unsigned int i;

	if (!k->nr && !k->cg.on)
		return 0;
	if (write_record(k, err))
		return -1;
	for (i = 0; i < k->nr; i++) {
		struct yl_knob_feat *f = &k->f[i];

		f->applied = true;	/* a failed write may still have landed */
		if (write_feat(k->features_path, f->name, f->want)) {
			yl_errf(err, "--sched-feature %s%s: writing %s: %s",
				f->want ? "" : "NO_", f->name, k->features_path,
				strerror(errno));
			yl_knobs_restore(k, NULL);
			return -1;
		}
	}
	if (yl_cg_create(&k->cg, err)) {
		yl_knobs_restore(k, NULL);
		return -1;
	}
	return 0;
}

/*
 * Put every changed feature back and remove our cgroups; the record goes
 * only if all of it went back.
 */
int yl_knobs_restore(struct yl_knobs *k, FILE *log)
{
	unsigned int i;
	int bad = 0;

	if (yl_cg_remove(&k->cg, log))
		bad++;
	for (i = 0; i < k->nr; i++) {
		struct yl_knob_feat *f = &k->f[i];

		if (!f->applied)
			continue;
		if (write_feat(k->features_path, f->name, f->orig)) {
			bad++;
			if (log)
				fprintf(log, "yieldlab: restoring sched feature %s: %s (record kept in %s)\n",
					f->name, strerror(errno), k->record);
			continue;
		}
		f->applied = false;
	}
	if (k->recorded && !bad) {
		unlink(k->record);
		k->recorded = false;
	}
	return bad ? -1 : 0;
}

/* A killed run's cgroups, deepest (named last) first. */
static int replay_cgroups(char **dirs, unsigned int n, int pid, FILE *log)
{
	int bad = 0;

	while (n--) {
		if (yl_cg_replay_rmdir(dirs[n])) {
			bad++;
			continue;
		}
		if (log)
			fprintf(log, "yieldlab: removed cgroup %s left by killed run %d\n",
				dirs[n], pid);
	}
	return bad;
}

/*
 * Replay one record left by a process that no longer exists.  Only our
 * own features file is ever written, whatever the record says.
 */
static int replay(const struct yl_knobs *k, const char *path, int pid,
		  FILE *log)
{
	char buf[RECORD_MAX], *line, *save, *dirs[YL_MAX_VMS + 1];
	unsigned int nr_dirs = 0;
	int bad = 0;

	if (yl_read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[YL_SCHED_FEAT_LEN];
		int on;

		if (!strncmp(line, "features ", 9))
			continue;
		if (!strncmp(line, "cgroup_dir ", 11)) {
			if (nr_dirs < ARRAY_SIZE(dirs))
				dirs[nr_dirs++] = line + 11;
			continue;
		}
		if (sscanf(line, "sched_feature %63s %d", name, &on) != 2 ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(name))
			continue;	/* not ours: never write what we cannot read */
		if (write_feat(k->features_path, name, on != 0)) {
			bad++;
			continue;
		}
		if (log)
			fprintf(log, "yieldlab: restored sched feature %s%s left by killed run %d\n",
				on ? "" : "NO_", name, pid);
	}
	bad += replay_cgroups(dirs, nr_dirs, pid, log);
	if (!bad)
		unlink(path);
	return bad ? -1 : 0;
}

/* At every start: replay the records of runs that were killed. */
int yl_knobs_recover(const struct yl_knobs *k, FILE *log)
{
	DIR *d = opendir(k->state_dir);
	struct dirent *e;
	int bad = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[512], tail[16];
		int pid;

		if (sscanf(e->d_name, "%d.%15s", &pid, tail) != 2 ||
		    strcmp(tail, "restore") || pid <= 0)
			continue;
		if (pid == getpid() || !kill(pid, 0) || errno != ESRCH)
			continue;	/* its owner still runs */
		snprintf(path, sizeof(path), "%s/%s", k->state_dir, e->d_name);
		bad |= replay(k, path, pid, log);
	}
	closedir(d);
	return bad ? -1 : 0;
}
