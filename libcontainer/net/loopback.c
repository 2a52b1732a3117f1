/* Bringing up lo in the init's new network namespace, with one ioctl: no
 * netlink socket is needed for a flag on an interface that always exists. */
#include "net/loopback.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "husk/cleanup.h"

int husk_net_loopback_up(struct husk_error **err)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error_set(err, errno, "bring up \"lo\": socket");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return husk_error_set(err, errno, "bring up \"lo\"");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return husk_error_set(err, errno, "bring up \"lo\"");
	return 0;
}
