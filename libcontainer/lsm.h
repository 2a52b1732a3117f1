/* Linux security module labels: process.apparmorProfile, process.selinuxLabel
 * and linux.mountLabel.
 *
 * Where each step runs:
 *   husk_lsm_detect() + husk_lsm_check_spec()  create, before any side effect:
 *       a label whose LSM is not enabled on the host fails there (as runc)
 *   husk_lsm_set_exec_labels()  the init and the exec child, after the
 *       container's /proc is mounted and before the capability drop: the
 *       labels take effect at the next execve(), the container's program
 *   husk_lsm_mount_data()       rootfs.c, for each kernel file system mount
 *
 * Every path is read or written under a prefix ("" or NULL: the live
 * system), so unit tests can lay out a fake /sys and /proc and see exactly
 * what would be written where.
 */
#pragma once

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

enum husk_lsm {
	HUSK_LSM_APPARMOR,
	HUSK_LSM_SELINUX,
};

/* Which LSMs can label a container here. */
struct husk_lsm_host {
	/* /sys/module/apparmor/parameters/enabled reads "Y" and the task has
	 * AppArmor's attr files (/proc/self/attr/apparmor/ or attr/exec) */
	bool apparmor;
	/* selinuxfs is mounted (per /proc/self/mountinfo) and has "enforce" */
	bool selinux;
};

void husk_lsm_detect(const char *prefix, struct husk_lsm_host *ret);

/* "AppArmor", "SELinux". */
const char *husk_lsm_name(enum husk_lsm lsm);

/* What is wrong with a label's syntax, or NULL when nothing is (an empty
 * label means none and is fine).  Static strings, for the validator:
 * control characters, a '"' (it would end context="..." early), an SELinux
 * label that is not user:role:type[:level], an overlong label. */
const char *husk_lsm_label_problem(enum husk_lsm lsm, const char *label);

/* One requested label: its syntax, then its LSM on the host.  field names
 * the label in errors:
 *   process.apparmorProfile: "p" needs AppArmor, which is not enabled on this host */
int husk_lsm_check_label(const struct husk_lsm_host *host, enum husk_lsm lsm, const char *field,
                         const char *label, struct husk_error **err);

/* The three labels of a config, with their JSON paths as field names. */
int husk_lsm_check_spec(const struct husk_lsm_host *host, const struct husk_spec *spec,
                        struct husk_error **err);

/* husk_lsm_detect(NULL) then husk_lsm_check_spec(): create's check. */
int husk_lsm_check_host(const struct husk_spec *spec, struct husk_error **err);

/* Sets the labels the calling thread's next execve() takes:
 *   apparmorProfile: "exec <profile>" to <prefix>/proc/thread-self/attr/apparmor/exec,
 *                    or to .../attr/exec on kernels without the apparmor/ directory
 *   selinuxLabel:    the label to <prefix>/proc/thread-self/attr/exec
 * On the live system each file must be on procfs: a file system mounted
 * over the container's /proc must not swallow the label (the class of
 * CVE-2019-16884). */
int husk_lsm_set_exec_labels(const char *prefix, const struct husk_spec_process *process,
                             struct husk_error **err);

/* Mount data for a mount of fstype with mount_label: data with
 * `context="<label>"` appended for the file systems runc labels (not proc,
 * sysfs, mqueue, cgroup or bind mounts, and not when data sets a context
 * already).  Takes data (malloc'd or NULL) and returns what replaces it. */
char *husk_lsm_mount_data(const char *fstype, bool bind, char *data, const char *mount_label);
