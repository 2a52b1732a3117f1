/* The cgroup v2 device controller: OCI linux.resources.devices rules compiled
 * into a BPF_PROG_TYPE_CGROUP_DEVICE program and attached to a cgroup.
 *
 * Semantics: the last rule that matches a (type, major, minor) for an access
 * bit decides that bit; a request for several bits (open O_RDWR asks for read
 * and write at once) is allowed only when every bit is allowed.  No match
 * means deny, so an explicit leading "a *:* rwm deny" is redundant but harmless.
 */
#pragma once

#include <stddef.h>
#include <linux/bpf.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Compiles rules into a program; *ret_insns is malloc'ed, the caller frees it.
 * Fails on a rule whose type is not "a", "b" or "c", whose access is empty or
 * not a subset of "rwm", or whose major/minor is below -1 (-1 is a wildcard,
 * as runc reads it) or above UINT32_MAX. */
int husk_cgroup_devices_program(const struct husk_spec_device_cgroup *rules, size_t n,
                                struct bpf_insn **ret_insns, size_t *ret_n,
                                struct husk_error **err);

/* Loads the program for rules and attaches it to the cgroup v2 directory
 * cgroup_dir_fd with BPF_F_ALLOW_MULTI, then detaches every device program
 * that was attached directly to that directory before: calling it again is
 * how rules are updated (`husk update`), and at no moment is the cgroup left
 * without a program.  The cgroup is the container's own; programs attached to
 * ancestors are untouched and still apply (the kernel ANDs them). */
int husk_cgroup_devices_attach(int cgroup_dir_fd, const struct husk_spec_device_cgroup *rules,
                               size_t n, struct husk_error **err);

/* The devices every container may use whatever its config says, as runc
 * allows them: mknod of any char or block device, /dev/null, random, full,
 * tty, zero, urandom, /dev/pts/N (136:*), ptmx and tun (10:200); not
 * /dev/console.  Returns a static array of *ret_n rules.  runc places these
 * (and an "rwm" allow rule per linux.devices entry) after the config's rules,
 * so under last-match-wins the config cannot take them away; the caller is
 * to do the same. */
const struct husk_spec_device_cgroup *husk_cgroup_devices_default_rules(size_t *ret_n);
