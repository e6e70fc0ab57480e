// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities, through libcap.  Whether a path is writable is the
 * kernel's answer (faccessat(AT_EACCESS), which weighs our effective
 * capabilities as the write would), so a user who owns a file, or holds an
 * ACL on it, needs no capability, and one who needs CAP_DAC_OVERRIDE is
 * told so by name before anything on the host has changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "lib/confine.h"
#include "privs.h"

static void caps_text(char *buf, size_t len)
{
	cap_t caps = cap_get_proc();
	char *t = caps ? cap_to_text(caps, NULL) : NULL;

	snprintf(buf, len, "%s", t ? t : "?");
	cap_free(t);
	cap_free(caps);
}

void yl_privs_init(struct yl_privs *pr)
{
	memset(pr, 0, sizeof(*pr));
	caps_text(pr->at_start, sizeof(pr->at_start));
	snprintf(pr->after_setup, sizeof(pr->after_setup), "%s", pr->at_start);
}

static bool writable(const char *path)
{
	return !faccessat(AT_FDCWD, path, W_OK, AT_EACCESS);
}

/* A path that exists and refuses us for want of permission. */
static bool refused(const char *path)
{
	return !writable(path) && (errno == EACCES || errno == EPERM);
}

/* The records' directory, or /run where it is still to be made. */
static const char *record_dir(const char *state_dir, char *buf, size_t len)
{
	char *slash;

	if (!access(state_dir, F_OK))
		return state_dir;
	snprintf(buf, len, "%s", state_dir);
	slash = strrchr(buf, '/');
	if (slash && slash != buf)
		*slash = 0;
	return buf;
}

static int check_writes(const char *opt, const char *const *paths,
			unsigned int n, struct yl_err *err)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (refused(paths[i]) && !yl_cap_effective(CAP_DAC_OVERRIDE))
			return yl_errf(err, "%s: writing %s needs CAP_DAC_OVERRIDE, which this process lacks (run as root, or as the file's owner)",
				       opt, paths[i]);
	return 0;
}

/*
 * --sched-feature writes debugfs and a crash-safety record; --cgroup
 * makes directories in PARENT, moves us through the common ancestor's
 * cgroup.procs (the kernel's cgroup_procs_write_permission() asks for
 * write access there) and back into ours, and writes a record too.
 * Missing files are not our business here: yl_knobs_check() says what
 * is missing.
 */
int yl_privs_check(const struct yl_config *cfg, const struct yl_priv_paths *p,
		   struct yl_err *err)
{
	struct yl_restore_paths r;
	char dir[256];
	unsigned int i;
	const char *feats[2] = {
		p->features, record_dir(p->state_dir, dir, sizeof(dir)) };

	if (cfg->nr_feats && check_writes("--sched-feature", feats, 2, err))
		return -1;
	for (i = 0; i < cfg->nr_params; i++) {
		const char *pp[2] = { yl_host_params[cfg->params[i].idx].path, feats[1] };

		if (check_writes("--host-param", pp, 2, err))
			return -1;
	}
	if (!p->cg || !p->cg->on)
		return 0;
	yl_restore_paths(&r, p, false);
	r.p[r.n - 1] = feats[1];	/* the record's directory, maybe to make */
	return check_writes("--cgroup", r.p, r.n, err);
}

/* The paths putting the host back writes, for the check and the plan. */
void yl_restore_paths(struct yl_restore_paths *r, const struct yl_priv_paths *p,
		      bool feats)
{
	r->n = 0;
	if (feats)
		r->p[r->n++] = p->features;
	if (p->cg && p->cg->on) {
		snprintf(r->buf[0], sizeof(r->buf[0]), "%s/cgroup.procs", p->cg->common);
		snprintf(r->buf[1], sizeof(r->buf[1]), "%s/cgroup.procs", p->cg->orig);
		r->p[r->n++] = p->cg->parent;
		r->p[r->n++] = r->buf[0];
		r->p[r->n++] = r->buf[1];
	}
	if (p->out_dir)
		r->p[r->n++] = p->out_dir;
	if (p->tl_dir)
		r->p[r->n++] = p->tl_dir;
	if (feats || (p->cg && p->cg->on))
		r->p[r->n++] = p->state_dir;
}

static int set_caps(bool dac_effective, bool dac_permitted)
{
	cap_value_t dac = CAP_DAC_OVERRIDE;
	cap_t caps = cap_init();
	int r;

	if (!caps)
		return -1;
	if (dac_permitted)
		cap_set_flag(caps, CAP_PERMITTED, 1, &dac, CAP_SET);
	if (dac_effective)
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &dac, CAP_SET);
	r = cap_set_proc(caps);
	cap_free(caps);
	return r;
}

static int set_dac_effective(cap_flag_value_t v)
{
	cap_value_t dac = CAP_DAC_OVERRIDE;
	cap_t caps = cap_get_proc();
	int r = -1;

	if (caps && !cap_set_flag(caps, CAP_EFFECTIVE, 1, &dac, v))
		r = cap_set_proc(caps);
	cap_free(caps);
	return r;
}

/*
 * After setup nothing needs a capability but putting host state back.
 * CAP_DAC_OVERRIDE is lowered for a moment and the paths to restore are
 * tried without it: only if one then refuses us is it kept.
 */
int yl_privs_plan(struct yl_privs *pr, const char *const *restore_paths,
		  unsigned int n, struct yl_err *err)
{
	unsigned int i;

	pr->keep_dac = false;
	if (!n || !yl_cap_effective(CAP_DAC_OVERRIDE))
		return 0;
	if (set_dac_effective(CAP_CLEAR))
		return yl_errf(err, "lowering CAP_DAC_OVERRIDE: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (refused(restore_paths[i]))
			pr->keep_dac = true;
	if (set_dac_effective(CAP_SET))
		return yl_errf(err, "raising CAP_DAC_OVERRIDE again: %s", strerror(errno));
	return 0;
}

static bool is_main(const struct yl_privs *pr, enum yl_thread_kind kind)
{
	return pr && kind == YL_THREAD_MAIN;
}

/*
 * Lock the calling thread down (capabilities, the bounding set,
 * no_new_privs and seccomp are all per thread): an empty bounding set;
 * no capability, but for the main thread what the plan keeps for putting
 * the host back; no_new_privs; the filter of its kind.
 */
int yl_privs_lock_thread(const struct yl_privs *pr, enum yl_thread_kind kind,
			 struct yl_err *err)
{
	bool dac = is_main(pr, kind) && pr->keep_dac;

	if (yl_drop_bounding())
		return yl_errf(err, "emptying the %s thread's bounding set: %s",
			       yl_thread_kind_name(kind), strerror(errno));
	if (set_caps(dac, dac))
		return yl_errf(err, "dropping the %s thread's capabilities: %s",
			       yl_thread_kind_name(kind), strerror(errno));
	return yl_sandbox_enter(kind, !(is_main(pr, kind) && pr->main_unfiltered), err);
}

/* The main thread's lock-down, recorded for the report. */
int yl_privs_drop(struct yl_privs *pr, struct yl_err *err)
{
	if (yl_privs_lock_thread(pr, YL_THREAD_MAIN, err))
		return -1;
	caps_text(pr->after_setup, sizeof(pr->after_setup));
	pr->dropped = true;
	return 0;
}

