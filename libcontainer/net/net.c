/* The bridge network's lifecycle: what create builds, in which order, and
 * how delete and every failure take it down again.  All changes of one
 * state root's network happen under the allocator's lock (ipam.h), so
 * parallel creates and deletes never race on the bridge or its table; the
 * veth is made afterwards, without the lock, since the container's entry
 * keeps the bridge alive meanwhile. */
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "net/bridge.h"
#include "net/config.h"
#include "net/files.h"
#include "net/ipam.h"
#include "net/nat.h"
#include "net/netlink.h"
#include "net/veth.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct husk_net {
	struct husk_net_config cfg;
	uint32_t address;
	int bridge_index;
	struct husk_net_files files;
};

/* What one locked section works with; sockets are opened on first use. */
struct section {
	char *root; /* absolute */
	int root_fd;
	int dir_fd; /* <root>/.net, locked */
	char owner[256];
	struct husk_nl route, nft;
};

static int section_open(const char *root, bool create, struct section *s, struct husk_error **err)
{
	memset(s, 0, sizeof(*s));
	s->root_fd = s->dir_fd = -1;
	s->root = realpath(root, NULL);
	if (!s->root)
		return husk_error_set(err, errno, "state root \"%s\"", root);
	s->root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return husk_error_set(err, errno, "state root \"%s\"", root);
	husk_bridge_owner(s->root, s->owner, sizeof(s->owner));
	return husk_ipam_lock(s->root, create, &s->dir_fd, err);
}

static void section_close(struct section *s)
{
	husk_nl_close(&s->route);
	husk_nl_close(&s->nft);
	if (s->dir_fd >= 0)
		husk_ipam_unlock(s->root, s->dir_fd);
	if (s->root_fd >= 0)
		close(s->root_fd);
	free(s->root);
}

static struct husk_nl *route(struct section *s)
{
	if (!s->route.sock && husk_nl_open(&s->route, NETLINK_ROUTE, -1) < 0)
		return NULL;
	return &s->route;
}

static struct husk_nl *nft(struct section *s)
{
	if (!s->nft.sock && husk_nl_open(&s->nft, NETLINK_NETFILTER, -1) < 0)
		return NULL;
	return &s->nft;
}

/* The container's veth and rules; its entry is the caller's. */
static int teardown(struct section *s, const char *bridge, uint32_t address,
                    struct husk_error **err)
{
	char a[16];
	struct husk_nl *r = route(s), *n = nft(s);
	if (!r || !n)
		return husk_error_set(err, errno, "open a netlink socket");
	if (husk_veth_delete(r, address, err) < 0)
		return -1;
	if (husk_nat_ports_delete(n, bridge, address, NULL) < 0)
		return husk_error_set(err, errno, "delete the rules of %s",
		                      husk_net_format_ipv4(address, a));
	return 0;
}

/* The last container of the bridge is gone: its table and itself go. */
static int remove_bridge(struct section *s, const char *bridge, struct husk_error **err)
{
	struct husk_nl *r = route(s), *n = nft(s);
	if (!r || !n)
		return husk_error_set(err, errno, "open a netlink socket");
	if (husk_nat_table_delete(n, bridge) < 0)
		return husk_error_set(err, errno, "delete nftables table \"%s%s\"",
		                      HUSK_NAT_TABLE_PREFIX, bridge);
	return husk_bridge_remove(r, bridge, s->owner, err);
}

static bool container_exists(int root_fd, const char *id)
{
	struct stat st;
	return fstatat(root_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

/* Drops the entries of id and of containers whose state directory is
 * gone, after tearing their links and rules down.  A stale entry that
 * cannot be cleaned keeps its address for a later try; for id's own
 * entries, strict makes that an error. */
static int drop_entries(struct section *s, const char *bridge, struct husk_ipam *ipam,
                        const char *id, bool strict, bool *changed, struct husk_error **err)
{
	for (size_t i = 0; i < ipam->n;) {
		const struct husk_ipam_entry *e = &ipam->entries[i];
		bool own = strcmp(e->id, id) == 0;
		struct husk_error *tmp = NULL;
		if (!own && container_exists(s->root_fd, e->id)) {
			i++;
			continue;
		}
		if (teardown(s, bridge, e->address, own && strict ? err : &tmp) < 0) {
			if (own && strict)
				return -1;
			husk_error_release(&tmp);
			i++;
			continue;
		}
		husk_ipam_drop(ipam, i);
		*changed = true;
	}
	return 0;
}

/* Stores the allocator after entries went; with none left, the bridge
 * and its table go first (so a failure there is retried by the next
 * delete, which still finds the file). */
static int store_after_drop(struct section *s, const char *bridge, const struct husk_ipam *ipam,
                            struct husk_error **err)
{
	if (ipam->n == 0 && remove_bridge(s, bridge, err) < 0)
		return -1;
	return husk_ipam_store(s->dir_fd, bridge, ipam, err);
}

/* Bridge, table and port rules for an entry already stored. */
static int build_host_side(struct section *s, struct husk_net *net, const char *id, bool fresh,
                           struct husk_error **err)
{
	const struct husk_net_config *cfg = &net->cfg;
	struct husk_nl *r = route(s), *n = nft(s);
	if (!r || !n)
		return husk_error_set(err, errno, "open a netlink socket");
	if (husk_bridge_ensure(r, cfg->bridge, &cfg->subnet, s->owner, fresh, &net->bridge_index,
	                       err) < 0)
		return -1;
	int exists = fresh ? 0 : husk_nat_table_exists(n, cfg->bridge);
	if (exists < 0 || (exists == 0 && husk_nat_table_create(n, cfg->bridge, &cfg->subnet) < 0))
		return husk_error_set(err, errno, "create nftables table \"%s%s\"",
		                      HUSK_NAT_TABLE_PREFIX, cfg->bridge);
	if (husk_nat_ports_add(n, cfg->bridge, net->address, id, cfg->ports, cfg->n_ports) < 0)
		return husk_error_set(err, errno, "publish ports");
	return 0;
}

static int check_subnet(const struct husk_ipam *ipam, const struct husk_net_config *cfg,
                        struct husk_error **err)
{
	char a[16], b[16];
	if (ipam->subnet.network == cfg->subnet.network &&
	    ipam->subnet.prefix == cfg->subnet.prefix)
		return 0;
	return husk_error_set(err, 0,
	                      "bridge \"%s\" has the subnet %s/%u, not %s/%u: give this "
	                      "container another bridge with annotation \"%s\"",
	                      cfg->bridge, husk_net_format_ipv4(ipam->subnet.network, a),
	                      ipam->subnet.prefix, husk_net_format_ipv4(cfg->subnet.network, b),
	                      cfg->subnet.prefix, HUSK_ANNOTATION_NET_BRIDGE);
}

static int setup_locked(struct section *s, const char *id, struct husk_net *net,
                        struct husk_error **err)
{
	const char *bridge = net->cfg.bridge;
	struct husk_ipam ipam;
	bool found, changed = false;
	if (husk_ipam_load(s->dir_fd, bridge, &ipam, &found, err) < 0)
		return -1;
	if (found && check_subnet(&ipam, &net->cfg, err) < 0)
		goto out_free;
	if (!found)
		ipam.subnet = net->cfg.subnet;
	/* an entry of this id is stale: the state directory was just made */
	if (drop_entries(s, bridge, &ipam, id, false, &changed, err) < 0 ||
	    husk_ipam_allocate(&ipam, id, net->cfg.address, &net->address, err) < 0 ||
	    husk_ipam_store(s->dir_fd, bridge, &ipam, err) < 0)
		goto out_free;
	if (build_host_side(s, net, id, !found, err) < 0) {
		struct husk_error *tmp = NULL;
		for (size_t i = 0; i < ipam.n; i++)
			if (ipam.entries[i].address == net->address) {
				husk_ipam_drop(&ipam, i);
				break;
			}
		if (teardown(s, bridge, net->address, &tmp) < 0 ||
		    store_after_drop(s, bridge, &ipam, &tmp) < 0)
			husk_error_release(&tmp); /* the next create reclaims it */
		goto out_free;
	}
	husk_ipam_free(&ipam);
	return 0;
out_free:
	husk_ipam_free(&ipam);
	return -1;
}

static void set_annotation(struct husk_spec *spec, const char *key, const char *value)
{
	struct husk_arena *a = spec->arena;
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, key) == 0) {
			spec->annotations[i].value = husk_arena_strdup(a, value);
			return;
		}
	struct husk_kv *kv = husk_arena_array(a, spec->n_annotations + 1, sizeof(*kv));
	if (spec->n_annotations)
		memcpy(kv, spec->annotations, spec->n_annotations * sizeof(*kv));
	kv[spec->n_annotations].key = husk_arena_strdup(a, key);
	kv[spec->n_annotations].value = husk_arena_strdup(a, value);
	spec->annotations = kv;
	spec->n_annotations++;
}

int husk_net_check(const struct husk_spec *spec, struct husk_error **err)
{
	struct husk_net_config cfg;
	if (husk_net_config_read(spec, HUSK_NET_CONF_PATH, &cfg, err) < 0)
		return -1;
	husk_net_config_done(&cfg);
	return 0;
}

int husk_net_prepare(const struct husk_context *ctx, const char *id, struct husk_spec *spec,
                     int state_dir_fd, struct husk_net **ret, struct husk_error **err)
{
	*ret = NULL;
	if (husk_net_ignored(spec))
		husk_warn(ctx,
		          "annotation \"%s\" ignored: the container has no network namespace "
		          "of its own",
		          HUSK_ANNOTATION_NET);
	if (!husk_net_wanted(spec))
		return 0;
	struct husk_net *net = xcalloc(1, sizeof(*net));
	struct section s;
	int r = husk_net_config_read(spec, HUSK_NET_CONF_PATH, &net->cfg, err);
	if (r == 0) {
		r = section_open(ctx->root, true, &s, err);
		if (r == 0)
			r = setup_locked(&s, id, net, err);
		_cleanup_free_ char *state_dir = xasprintf("%s/%s", s.root ? s.root : "", id);
		section_close(&s);
		if (r == 0 && husk_net_files_add(spec, state_dir_fd, state_dir, id, net->address,
		                                 &net->files, err) < 0) {
			husk_net_release(ctx->root, id, NULL);
			r = -1;
		}
	}
	if (r < 0) {
		husk_net_free(net);
		return husk_error_prefix(err, "network");
	}
	char a[16];
	set_annotation(spec, HUSK_ANNOTATION_NET_ADDRESS, husk_net_format_ipv4(net->address, a));
	*ret = net;
	return 0;
}

int husk_net_mount_trees(const struct husk_net *net, size_t n_mounts, int **fds, size_t *n_fds,
                         struct husk_error **err)
{
	if (husk_net_files_trees(&net->files, n_mounts, fds, n_fds, err) < 0)
		return husk_error_prefix(err, "network");
	return 0;
}

int husk_net_attach(const struct husk_net *net, pid_t pid, struct husk_error **err)
{
	struct husk_nl nl;
	if (husk_nl_open(&nl, NETLINK_ROUTE, -1) < 0)
		return husk_error_set(err, errno, "network: open a netlink socket");
	int r = husk_veth_attach(&nl, net->bridge_index, &net->cfg.subnet, net->address, pid, err);
	husk_nl_close(&nl);
	if (r < 0)
		return husk_error_prefix(err, "network");
	return 0;
}

void husk_net_free(struct husk_net *net)
{
	if (!net)
		return;
	husk_net_config_done(&net->cfg);
	husk_net_files_done(&net->files);
	free(net);
}

static int release_bridge(struct section *s, const char *bridge, const char *id,
                          struct husk_error **err)
{
	struct husk_ipam ipam;
	bool found, changed = false;
	if (husk_ipam_load(s->dir_fd, bridge, &ipam, &found, err) < 0)
		return -1;
	int r = drop_entries(s, bridge, &ipam, id, true, &changed, err);
	if (r == 0 && changed)
		r = store_after_drop(s, bridge, &ipam, err);
	husk_ipam_free(&ipam);
	return r;
}

int husk_net_release(const char *root, const char *id, struct husk_error **err)
{
	struct section s;
	char **bridges = NULL;
	size_t n = 0;
	int r = section_open(root, false, &s, err);
	if (r == 0 && s.dir_fd >= 0)
		r = husk_ipam_bridges(s.dir_fd, &bridges, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (r == 0)
			r = release_bridge(&s, bridges[i], id, err);
		free(bridges[i]);
	}
	free(bridges);
	section_close(&s);
	if (r < 0)
		return husk_error_prefix(err, "network");
	return 0;
}
