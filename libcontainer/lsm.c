/* AppArmor and SELinux labels for the container: host detection, the
 * create-time check that a requested label's LSM is there, the exec labels
 * written through /proc, and the context= mount option.  lsm.h says where
 * each runs.  Neither libapparmor nor libselinux is needed: both LSMs take
 * their exec label as a write to the task's attr files.
 */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

/* The kernel takes at most a page per attr write; labels are far shorter. */
#define LABEL_MAX 4000

static char *under(const char *prefix, const char *path)
{
	return xasprintf("%s%s", prefix ? prefix : "", path);
}

static bool exists(const char *prefix, const char *path)
{
	_cleanup_free_ char *p = under(prefix, path);
	return access(p, F_OK) == 0;
}

static bool apparmor_enabled(const char *prefix)
{
	_cleanup_free_ char *p = under(prefix, "/sys/module/apparmor/parameters/enabled");
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	char c = 0;
	if (fd < 0 || read(fd, &c, 1) != 1 || c != 'Y')
		return false;
	/* "Y" with no attr interface (another LSM owns attr/exec and the
	 * kernel predates attr/apparmor/) would take no profile */
	return exists(prefix, "/proc/self/attr/apparmor") || exists(prefix, "/proc/self/attr/exec");
}

/* The mount point of selinuxfs from mountinfo ("... /sys/fs/selinux ... - selinuxfs ..."). */
static char *selinuxfs_mount_point(const char *prefix)
{
	_cleanup_free_ char *p = under(prefix, "/proc/self/mountinfo");
	_cleanup_fclose_ FILE *f = fopen(p, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		char point[4096], fstype[64];
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(sep, " - %63s", fstype) != 1 || strcmp(fstype, "selinuxfs") != 0)
			continue;
		if (sscanf(line, "%*d %*d %*s %*s %4095s", point) == 1)
			return xstrdup(point);
	}
	return NULL;
}

static bool selinux_enabled(const char *prefix)
{
	_cleanup_free_ char *point = selinuxfs_mount_point(prefix);
	if (!point)
		return false;
	_cleanup_free_ char *enforce = xasprintf("%s/enforce", point);
	return exists(prefix, enforce);
}

void husk_lsm_detect(const char *prefix, struct husk_lsm_host *ret)
{
	ret->apparmor = apparmor_enabled(prefix);
	ret->selinux = selinux_enabled(prefix);
}

const char *husk_lsm_name(enum husk_lsm lsm)
{
	return lsm == HUSK_LSM_APPARMOR ? "AppArmor" : "SELinux";
}

/* ---- checks ---- */

const char *husk_lsm_label_problem(enum husk_lsm lsm, const char *label)
{
	if (!label || !*label)
		return NULL;
	if (strlen(label) > LABEL_MAX)
		return "longer than 4000 bytes";
	for (const char *c = label; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "contains a control character";
		if (*c == '"')
			return "contains '\"'";
	}
	if (lsm == HUSK_LSM_APPARMOR)
		return label[0] == ' ' ? "starts with a space" : NULL;
	/* user:role:type, then an optional MLS/MCS level that may hold ':' */
	const char *c = label;
	for (int field = 0; field < 3; field++) {
		size_t n = strcspn(c, ":");
		if (n == 0 || (field < 2 && c[n] != ':'))
			return "must be user:role:type[:level]";
		c += n + (c[n] == ':');
	}
	if (c[-1] == ':' && *c == '\0')
		return "must be user:role:type[:level]";
	return NULL;
}

int husk_lsm_check_label(const struct husk_lsm_host *host, enum husk_lsm lsm, const char *field,
                         const char *label, struct husk_error **err)
{
	if (!label || !*label)
		return 0;
	const char *problem = husk_lsm_label_problem(lsm, label);
	if (problem)
		return husk_error_set(err, 0, "%s: %s", field, problem);
	bool enabled = lsm == HUSK_LSM_APPARMOR ? host->apparmor : host->selinux;
	if (!enabled)
		return husk_error_set(err, 0,
		                      "%s: \"%s\" needs %s, which is not enabled on this host",
		                      field, label, husk_lsm_name(lsm));
	return 0;
}

int husk_lsm_check_spec(const struct husk_lsm_host *host, const struct husk_spec *spec,
                        struct husk_error **err)
{
	const struct husk_spec_process *p = spec->process;
	if (p && (husk_lsm_check_label(host, HUSK_LSM_APPARMOR, "process.apparmorProfile",
	                               p->apparmor_profile, err) < 0 ||
	          husk_lsm_check_label(host, HUSK_LSM_SELINUX, "process.selinuxLabel",
	                               p->selinux_label, err) < 0))
		return -1;
	if (spec->linux_ && husk_lsm_check_label(host, HUSK_LSM_SELINUX, "linux.mountLabel",
	                                         spec->linux_->mount_label, err) < 0)
		return -1;
	return 0;
}

static bool is_set(const char *label)
{
	return label && *label;
}

int husk_lsm_check_host(const struct husk_spec *spec, struct husk_error **err)
{
	const struct husk_spec_process *p = spec->process;
	/* detecting reads mountinfo: not on every create for nothing */
	if (!(p && (is_set(p->apparmor_profile) || is_set(p->selinux_label))) &&
	    !(spec->linux_ && is_set(spec->linux_->mount_label)))
		return 0;
	struct husk_lsm_host host;
	husk_lsm_detect(NULL, &host);
	return husk_lsm_check_spec(&host, spec, err);
}

/* ---- exec labels ---- */

/* Writes text to one attr file in one write(2), as the LSMs require. */
static int write_attr(const char *prefix, const char *path, const char *text, int *ret_errno,
                      struct husk_error **err)
{
	_cleanup_free_ char *full = under(prefix, path);
	_cleanup_close_ int fd = open(full, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*ret_errno = errno;
		return -1;
	}
	*ret_errno = 0;
	struct statfs sfs;
	if (!(prefix && *prefix) && (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC))
		return husk_error_set(err, 0, "\"%s\" is not on procfs", path);
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		return husk_error_set(err, errno, "write \"%s\" to \"%s\"", text, path);
	return 0;
}

static int set_apparmor(const char *prefix, const char *profile, struct husk_error **err)
{
	_cleanup_free_ char *text = xasprintf("exec %s", profile);
	int open_errno;
	/* Linux 5.8 and later: AppArmor's own directory, so a stacked LSM's
	 * attr/exec is never mistaken for ours */
	if (write_attr(prefix, "/proc/thread-self/attr/apparmor/exec", text, &open_errno, err) == 0)
		return 0;
	if (open_errno != ENOENT) {
		if (open_errno)
			husk_error_set(err, open_errno,
			               "open \"/proc/thread-self/attr/apparmor/exec\"");
		return husk_error_prefix(err, "process.apparmorProfile \"%s\"", profile);
	}
	if (write_attr(prefix, "/proc/thread-self/attr/exec", text, &open_errno, err) < 0) {
		if (open_errno)
			husk_error_set(err, open_errno, "open \"/proc/thread-self/attr/exec\"");
		return husk_error_prefix(err, "process.apparmorProfile \"%s\"", profile);
	}
	return 0;
}

static int set_selinux(const char *prefix, const char *label, struct husk_error **err)
{
	int open_errno;
	if (write_attr(prefix, "/proc/thread-self/attr/exec", label, &open_errno, err) < 0) {
		if (open_errno)
			husk_error_set(err, open_errno, "open \"/proc/thread-self/attr/exec\"");
		return husk_error_prefix(err, "process.selinuxLabel \"%s\"", label);
	}
	return 0;
}

int husk_lsm_set_exec_labels(const char *prefix, const struct husk_spec_process *process,
                             struct husk_error **err)
{
	if (process->apparmor_profile && *process->apparmor_profile &&
	    set_apparmor(prefix, process->apparmor_profile, err) < 0)
		return -1;
	if (process->selinux_label && *process->selinux_label &&
	    set_selinux(prefix, process->selinux_label, err) < 0)
		return -1;
	return 0;
}

/* ---- mount labels ---- */

char *husk_lsm_mount_data(const char *fstype, bool bind, char *data, const char *mount_label)
{
	/* proc and sysfs take no context (runc leaves them alone), mqueue and
	 * cgroup are not labelled through mount data, a bind keeps the
	 * source's labels */
	static const char *const unlabelled[] = {"proc",   "sysfs",   "mqueue",
	                                         "cgroup", "cgroup2", "bind"};
	if (!mount_label || !*mount_label || bind || !fstype)
		return data;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(unlabelled); i++)
		if (strcmp(fstype, unlabelled[i]) == 0)
			return data;
	if (data && (strncmp(data, "context=", 8) == 0 || strstr(data, ",context=")))
		return data;
	char *out = data && *data ? xasprintf("%s,context=\"%s\"", data, mount_label)
	                          : xasprintf("context=\"%s\"", mount_label);
	free(data);
	return out;
}
