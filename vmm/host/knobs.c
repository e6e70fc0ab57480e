// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler features and cgroups for the duration of a run.
 *
 * Order of events: check everything (the file is readable, each feature
 * exists, we may write) before changing anything; write the record of
 * the original values (fsync'ed) before the first change; change; and
 * at the end write the originals back, then remove the record.  A run
 * killed by SIGKILL leaves its record behind; the next start finds
 * records whose process is gone and replays them.
 *
 * Several runs at once: every read of an original, every change and
 * every restore happens under an exclusive flock() on the state
 * directory, and a feature that a live run holds (its record names it)
 * is refused to every other run.  So no run records another's setting
 * as the original, and none restores under another's feet.
 *
 * The state directory is root's: made 0700, and used only while it is
 * a directory (not a symlink) owned by us and writable by nobody else.
 * Records are opened relative to it with O_NOFOLLOW, must be regular
 * files of ours below RECORD_MAX, are named by their run's PID and
 * start time (a PID is reused, the pair is not), and are checked whole
 * before any line is acted on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/capability.h>
#include <unistd.h>
#include "knobs.h"
#include "privs.h"

#define FEATURES_MAX	8192
#define LOCK_TRIES	3000	/* x 10 ms: another run's setup or restore */

void yl_knobs_init(struct yl_knobs *k)
{
	memset(k, 0, sizeof(*k));
	k->features_path = YL_SCHED_FEATURES_PATH;
	k->param_root = "";
	k->state_dir = YL_STATE_DIR;
	k->dfd = -1;
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

/* The file of host parameter @idx: only ever one of the table's. */
void yl_knobs_param_path(const struct yl_knobs *k, unsigned int idx,
			 char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", k->param_root, yl_host_params[idx].path);
}

static int write_param(const struct yl_knobs *k, unsigned int idx, uint64_t v)
{
	char path[256];

	yl_knobs_param_path(k, idx, path, sizeof(path));
	return yl_host_param_write(path, idx, v);
}

/* "host_param NAME VALUE": NAME of the table, VALUE within its bounds. */
static int record_param(char *line, struct yl_record *rec)
{
	char *name = line + 11, *val = strchr(name, ' ');
	int idx = val ? yl_host_param_find(name, (size_t)(val - name)) : -1;
	const struct yl_host_param *p = idx >= 0 ? &yl_host_params[idx] : NULL;
	uint64_t v;

	if (!p || strchr(val + 1, ' ') ||
	    yl_host_param_parse(p->kind, p->min, p->max, val + 1, &v) ||
	    rec->nr_params == ARRAY_SIZE(rec->params))
		return -1;
	rec->params[rec->nr_params].idx = (unsigned int)idx;
	rec->params[rec->nr_params++].val = v;
	return 0;
}

/* ------------------------------------------------------------ records */

/*
 * A record, every line checked: "features PATH" (informative: only our
 * own features file is ever written), "sched_feature NAME 0|1",
 * "host_param NAME VALUE" (NAME of lib/hostparam.c's table, which alone
 * says what file that is), "cgroup_dir PATH" (a directory a run of ours
 * made, see yl_cg_ours()).
 * Anything else makes the whole record malformed: it is acted on whole
 * or not at all.  @buf is modified (split into lines).
 */
int yl_record_parse(char *buf, struct yl_record *rec, struct yl_err *err)
{
	char *line, *save;
	unsigned int nr = 0;

	memset(rec, 0, sizeof(*rec));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[YL_SCHED_FEAT_LEN], on[2], end;

		nr++;
		if (!strncmp(line, "features /", 10))
			continue;
		if (!strncmp(line, "cgroup_dir /", 12)) {
			if (rec->nr_dirs == ARRAY_SIZE(rec->dirs))
				return yl_errf(err, "line %u: more than %zu cgroup_dir lines",
					       nr, ARRAY_SIZE(rec->dirs));
			rec->dirs[rec->nr_dirs++] = line + 11;
			continue;
		}
		if (!strncmp(line, "host_param ", 11)) {
			if (record_param(line, rec))
				return yl_errf(err, "line %u: not a host_param of ours, or more than %d",
					       nr, YL_MAX_HOST_PARAMS);
			continue;
		}
		if (sscanf(line, "sched_feature %63[A-Z0-9_] %1[01]%c", name, on, &end) != 2 ||
		    strlen(line) != 14 + strlen(name) + 2) {
			return yl_errf(err, "line %u: not a record line", nr);
		}
		if (rec->nr_feats == ARRAY_SIZE(rec->feats))
			return yl_errf(err, "line %u: more than %zu sched_feature lines",
				       nr, ARRAY_SIZE(rec->feats));
		memcpy(rec->feats[rec->nr_feats].name, name, sizeof(name));
		rec->feats[rec->nr_feats++].on = on[0] == '1';
	}
	return 0;
}

/*
 * "PID.START.restore" (START: the process's start time, /proc/PID/stat
 * field 22) or the older "PID.restore"; *start is 0 for the latter.
 */
int yl_record_name_parse(const char *name, int *pid, unsigned long long *start)
{
	char tail[16];
	int n = 0;

	*start = 0;
	if (sscanf(name, "%d.%llu.%15[a-z]%n", pid, start, tail, &n) == 3 &&
	    !name[n] && !strcmp(tail, "restore") && *pid > 0 && *start > 0)
		return 0;
	*start = 0;
	n = 0;
	if (sscanf(name, "%d.%15[a-z]%n", pid, tail, &n) == 2 && !name[n] &&
	    !strcmp(tail, "restore") && *pid > 0)
		return 0;
	return -1;
}

/* Whether process @pid is a yieldlab (its command name). */
static bool is_yieldlab(int pid)
{
	char path[64], comm[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (yl_read_text(path, comm, sizeof(comm)) < 0)
		return true;	/* cannot tell: keep the record */
	comm[strcspn(comm, "\n")] = 0;
	return !strcmp(comm, "yieldlab");
}

/*
 * Whether the run that wrote a record still runs.  An older record has
 * only a PID: where that PID now names a process that is no yieldlab
 * (PID 1, after a reboot), the run is dead, or its record would hold
 * the feature forever.
 */
static bool owner_alive(int pid, unsigned long long start)
{
	unsigned long long now;

	if (kill(pid, 0) && errno == ESRCH)
		return false;
	if (!start)
		return is_yieldlab(pid);
	return !yl_proc_starttime(pid, &now) && now == start;
}

/*
 * Read one record of the state directory: a regular file of ours, not a
 * link, not a FIFO (O_NONBLOCK: opening one never waits), below RECORD_MAX.
 */
static int read_record(int dfd, const char *name, char *buf, size_t len,
		       struct yl_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return yl_errf(err, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1 || (size_t)st.st_size >= len) {
		close(fd);
		return yl_errf(err, "not a regular file of ours below %zu bytes", len);
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return yl_errf(err, "read: %s", strerror(errno));
	buf[n] = 0;
	if (strlen(buf) != (size_t)n)
		return yl_errf(err, "holds a NUL byte");
	return 0;
}

/* ------------------------------------------------------------ state dir */

/* The directory: ours, a real directory, writable by nobody else. */
static int check_state_dir(int dfd, const char *path, struct yl_err *err)
{
	struct stat st;

	if (fstat(dfd, &st))
		return yl_errf(err, "state directory %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return yl_errf(err, "state directory %s: owner uid %u, mode %04o; allowed: a directory owned by uid %u, not group- or world-writable (check it, then remove it)",
			       path, (unsigned int)st.st_uid,
			       (unsigned int)(st.st_mode & 07777), (unsigned int)geteuid());
	return 0;
}

/*
 * The exclusive lock that orders host changes between runs, waited for
 * while another run sets up or restores (LOCK_TRIES x 10 ms at most).
 */
static int lock_dir(struct yl_knobs *k)
{
	unsigned int i;

	for (i = 0; k->dfd >= 0 && i < LOCK_TRIES; i++) {
		if (!flock(k->dfd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		usleep(10000);
	}
	errno = EWOULDBLOCK;
	return -1;
}

/*
 * Open (and, if @make, create) the state directory and take its lock.
 * Without @make a missing directory is no error: there is nothing to
 * recover.  k->dfd stays -1 then.
 */
int yl_knobs_open(struct yl_knobs *k, bool make, struct yl_err *err)
{
	if (make && mkdir(k->state_dir, 0700) && errno != EEXIST)
		return yl_errf(err, "cannot create %s for the crash-safety record: %s",
			       k->state_dir, strerror(errno));
	k->dfd = open(k->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (k->dfd < 0) {
		if (!make && errno == ENOENT)
			return 0;
		return yl_errf(err, "state directory %s: %s (allowed: a directory, not a symlink)",
			       k->state_dir, strerror(errno));
	}
	if (check_state_dir(k->dfd, k->state_dir, err))
		goto fail;
	if (!lock_dir(k))
		return 0;
	yl_errf(err, "state directory %s: %s", k->state_dir, errno == EWOULDBLOCK ?
		"locked by another run for 30 s" : strerror(errno));
fail:
	close(k->dfd);
	k->dfd = -1;
	return -1;
}

/* Let other runs at the host's settings; the directory stays open. */
void yl_knobs_unlock(struct yl_knobs *k)
{
	if (k->dfd >= 0)
		flock(k->dfd, LOCK_UN);
}

void yl_knobs_close(struct yl_knobs *k)
{
	if (k->dfd >= 0)
		close(k->dfd);
	k->dfd = -1;
}

/* ------------------------------------------------------------ check */

/* A feature a live run holds is no other run's to set. */
static int check_held(const struct yl_knobs *k, const char *opt,
		      const char *name, struct yl_err *err)
{
	unsigned int i;

	for (i = 0; i < k->nr_held; i++)
		if (!strcmp(k->held[i].name, name))
			return yl_errf(err, "%s %s: run %d holds it (record %s/%s); allowed: what no other live run sets (wait for it to end)",
				       opt, name, k->held[i].pid, k->state_dir,
				       k->held[i].record);
	return 0;
}

/* --host-param: each file there, readable, writable, not held. */
static int check_params(struct yl_knobs *k, struct yl_config *cfg,
			struct yl_err *err)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < cfg->nr_params; i++) {
		struct yl_knob_param *p = &k->p[i];
		const char *name = yl_host_params[cfg->params[i].idx].name;

		p->idx = cfg->params[i].idx;
		p->want = cfg->params[i].val;
		yl_knobs_param_path(k, p->idx, path, sizeof(path));
		errno = 0;	/* a read that worked leaves it 0: the value was bad */
		if (yl_host_param_read(path, p->idx, &p->orig))
			return yl_errf(err, "--host-param %s: cannot read %s: %s (a host kernel of kernel/ has it; needs root and debugfs for sched.*)",
				       name, path, errno ? strerror(errno) : "not a value of ours");
		if (access(path, W_OK))
			return yl_errf(err, "--host-param %s: %s is not writable: %s (needs root)",
				       name, path, strerror(errno));
		if (check_held(k, "--host-param", name, err))
			return -1;
		cfg->params[i].orig = p->orig;
	}
	k->nr_p = cfg->nr_params;
	return 0;
}

/*
 * Everything checked before anything changes; nothing changes here.
 * Called with the state directory locked where there are knobs.
 */
int yl_knobs_check(struct yl_knobs *k, struct yl_config *cfg,
		   struct yl_err *err)
{
	char list[FEATURES_MAX];
	unsigned int i;

	if (yl_cg_check(&k->cg, err) || check_params(k, cfg, err))
		return -1;
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
		if (check_held(k, "--sched-feature", f->name, err))
			return -1;
		cfg->feats[i].orig = f->orig;
	}
	k->nr = cfg->nr_feats;
	if (access(k->features_path, W_OK))
		return yl_errf(err, "--sched-feature: %s is not writable: %s (needs root%s)",
			       k->features_path, strerror(errno),
			       yl_cap_effective(CAP_DAC_OVERRIDE) ? "" : "; CAP_DAC_OVERRIDE is missing");
	return 0;
}

/* ------------------------------------------------------------ apply */

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
	char buf[YL_RECORD_MAX];
	unsigned long long start;
	size_t o = 0;
	unsigned int i;
	int fd;

	if (yl_proc_starttime(getpid(), &start))
		return yl_errf(err, "crash-safety record: cannot read our start time: %s",
			       strerror(errno));
	snprintf(k->record, sizeof(k->record), "%d.%llu.restore", (int)getpid(), start);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "features %s\n",
			      k->features_path);
	for (i = 0; i < k->nr; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "sched_feature %s %d\n",
				      k->f[i].name, k->f[i].orig);
	for (i = 0; i < k->nr_p; i++) {
		char v[YL_HOST_PARAM_VLEN];

		yl_host_param_format(k->p[i].idx, k->p[i].orig, v, sizeof(v));
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "host_param %s %s\n",
				      yl_host_params[k->p[i].idx].name, v);
	}
	o += record_cgroups(&k->cg, buf + o, sizeof(buf) - o);
	fd = openat(k->dfd, k->record, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, o) != (ssize_t)o || fsync(fd)) {
		yl_errf(err, "crash-safety record %s/%s: %s", k->state_dir, k->record,
			strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlinkat(k->dfd, k->record, 0);
		}
		return -1;
	}
	close(fd);
	k->recorded = true;
	return 0;
}

/* Called with the state directory open and locked (yl_knobs_open()). */
int yl_knobs_apply(struct yl_knobs *k, struct yl_err *err)
{
	unsigned int i;

	if (!k->nr && !k->nr_p && !k->cg.on)
		return 0;
	if (write_record(k, err))
		return -1;
	for (i = 0; i < k->nr_p; i++) {
		struct yl_knob_param *p = &k->p[i];

		p->applied = true;	/* a failed write may still have landed */
		if (write_param(k, p->idx, p->want)) {
			yl_errf(err, "--host-param %s: writing it: %s",
				yl_host_params[p->idx].name, strerror(errno));
			yl_knobs_restore(k, NULL);
			return -1;
		}
	}
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

static int restore_params(struct yl_knobs *k, FILE *log)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < k->nr_p; i++) {
		struct yl_knob_param *p = &k->p[i];

		if (!p->applied)
			continue;
		if (write_param(k, p->idx, p->orig)) {
			bad++;
			if (log)
				fprintf(log, "yieldlab: restoring host parameter %s: %s (record kept in %s/%s)\n",
					yl_host_params[p->idx].name, strerror(errno),
					k->state_dir, k->record);
			continue;
		}
		p->applied = false;
	}
	return bad;
}

/*
 * Put every changed feature back and remove our cgroups, under the lock;
 * the record goes only if all of it went back.
 */
int yl_knobs_restore(struct yl_knobs *k, FILE *log)
{
	unsigned int i;
	int bad = 0;

	if (!k->recorded)
		return 0;
	if (lock_dir(k) && log)
		fprintf(log, "yieldlab: state directory %s: cannot lock it; restoring anyway\n",
			k->state_dir);
	if (yl_cg_remove(&k->cg, log))
		bad++;
	for (i = 0; i < k->nr; i++) {
		struct yl_knob_feat *f = &k->f[i];

		if (!f->applied)
			continue;
		if (write_feat(k->features_path, f->name, f->orig)) {
			bad++;
			if (log)
				fprintf(log, "yieldlab: restoring sched feature %s: %s (record kept in %s/%s)\n",
					f->name, strerror(errno), k->state_dir, k->record);
			continue;
		}
		f->applied = false;
	}
	bad += restore_params(k, log);
	if (!bad) {
		unlinkat(k->dfd, k->record, 0);
		k->recorded = false;
	}
	yl_knobs_unlock(k);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------ recover */

/* A killed run's cgroups, deepest (named last) first. */
static int replay_cgroups(const struct yl_record *rec, int pid, FILE *log)
{
	unsigned int n = rec->nr_dirs;
	int bad = 0;

	while (n--) {
		if (yl_cg_replay_rmdir(rec->dirs[n])) {
			bad++;
			continue;
		}
		if (log)
			fprintf(log, "yieldlab: removed cgroup %s left by killed run %d\n",
				rec->dirs[n], pid);
	}
	return bad;
}

/*
 * Replay a checked record of a process that no longer exists.  Only our
 * own features file is ever written, whatever the record says.
 */
static int replay(const struct yl_knobs *k, const struct yl_record *rec,
		  int pid, FILE *log)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < rec->nr_dirs; i++)
		if (!yl_cg_ours(rec->dirs[i]))
			return -1;	/* checked whole, before anything */
	for (i = 0; i < rec->nr_feats; i++) {
		if (write_feat(k->features_path, rec->feats[i].name, rec->feats[i].on)) {
			bad++;
			continue;
		}
		if (log)
			fprintf(log, "yieldlab: restored sched feature %s%s left by killed run %d\n",
				rec->feats[i].on ? "" : "NO_", rec->feats[i].name, pid);
	}
	for (i = 0; i < rec->nr_params; i++) {
		if (write_param(k, rec->params[i].idx, rec->params[i].val)) {
			bad++;
			continue;
		}
		if (log)
			fprintf(log, "yieldlab: restored host parameter %s left by killed run %d\n",
				yl_host_params[rec->params[i].idx].name, pid);
	}
	return bad + replay_cgroups(rec, pid, log);
}

/* What a live run's record holds, for check_held(). */
static void note_held(struct yl_knobs *k, const struct yl_record *rec, int pid,
		      const char *name)
{
	unsigned int i;

	for (i = 0; i < rec->nr_feats + rec->nr_params &&
		    k->nr_held < ARRAY_SIZE(k->held); i++) {
		struct yl_knob_held *h = &k->held[k->nr_held++];

		snprintf(h->name, sizeof(h->name), "%s", i < rec->nr_feats ? rec->feats[i].name :
			 yl_host_params[rec->params[i - rec->nr_feats].idx].name);
		snprintf(h->record, sizeof(h->record), "%s", name);
		h->pid = pid;
	}
}

/* One record: a live run's is noted, a dead run's replayed, a bad one kept. */
static int recover_one(struct yl_knobs *k, const char *name, FILE *log)
{
	char buf[YL_RECORD_MAX];
	unsigned long long start;
	struct yl_record rec;
	struct yl_err err;
	int pid;

	if (yl_record_name_parse(name, &pid, &start))
		return 0;	/* not a record */
	if (read_record(k->dfd, name, buf, sizeof(buf), &err) ||
	    yl_record_parse(buf, &rec, &err)) {
		if (log)
			fprintf(log, "yieldlab: crash-safety record %s/%s: %s; not replayed, kept for a person to look at\n",
				k->state_dir, name, err.msg);
		return -1;
	}
	if (owner_alive(pid, start)) {
		note_held(k, &rec, pid, name);
		return 0;
	}
	if (replay(k, &rec, pid, log)) {
		if (log)
			fprintf(log, "yieldlab: crash-safety record %s/%s of killed run %d: could not be replayed in full; kept, and tried again at every start\n",
				k->state_dir, name, pid);
		return -1;
	}
	unlinkat(k->dfd, name, 0);
	return 0;
}

/*
 * At every start, with the state directory open and locked: replay the
 * records of runs that were killed, note what live runs hold.
 */
int yl_knobs_recover(struct yl_knobs *k, FILE *log)
{
	struct dirent *e;
	int bad = 0, fd;
	DIR *d;

	if (k->dfd < 0)
		return 0;
	fd = dup(k->dfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((e = readdir(d)))
		bad |= recover_one(k, e->d_name, log);
	closedir(d);
	return bad ? -1 : 0;
}
