/* Idmapped bind mounts (mounts[] options "idmap" and "ridmap").
 *
 * Parent side, at create: for each such entry a detached clone of the
 * source tree is made and idmapped with a user namespace carrying the
 * entry's uidMappings/gidMappings.  That needs privilege over the source's
 * filesystem, which the init lacks once it is in the container's user
 * namespace, so the init only moves the prepared tree into place.
 */
#pragma once

#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Fills *ret_fds (one per mounts[] entry, -1 where the entry is not
 * idmapped; NULL when no entry is) with detached mount fds.  `bundle`
 * resolves relative sources.  Errors name the entry:
 *   mount on "/data": idmap: uidMappings and gidMappings are required */
int husk_idmap_prepare(const struct husk_spec *spec, const char *bundle, int **ret_fds,
                       struct husk_error **err);
void husk_idmap_release(int *fds, size_t n);

/* A user namespace whose maps are exactly the given mappings ("containerID
 * hostID size" lines), held by a short-lived child; returns an fd of it. */
int husk_idmap_userns(const struct husk_spec_id_mapping *uids, size_t n_uids,
                      const struct husk_spec_id_mapping *gids, size_t n_gids,
                      struct husk_error **err);
