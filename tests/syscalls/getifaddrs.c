//go:build ignore

/* getifaddrs: what a program learns of the loopback interface: glibc's
 * getifaddrs and if_nametoindex (NETLINK_ROUTE underneath), the
 * SIOCGIF* ioctls, and a raw RTM_GETLINK/RTM_GETADDR exchange with its
 * checks (sequence numbers, port IDs, NLMSG_DONE, acknowledgements,
 * errors). Only lo is printed: the host has other interfaces. */
#include "common.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void show_ifaddrs(void)
{
	struct ifaddrs *ifs;
	OK("getifaddrs", getifaddrs(&ifs));
	int links = 0, v4 = 0, v6 = 0;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		if (strcmp(i->ifa_name, "lo") != 0 || !i->ifa_addr)
			continue;
		char a[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];
		int fam = i->ifa_addr->sa_family;
		if (fam == AF_PACKET) {
			links++;
			continue;
		}
		const void *ap = fam == AF_INET ? (void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
						: (void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		const void *mp = fam == AF_INET ? (void *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr
						: (void *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
		inet_ntop(fam, ap, a, sizeof a);
		inet_ntop(fam, mp, m, sizeof m);
		printf("lo %s %s netmask %s flags%s%s%s\n", fam == AF_INET ? "inet" : "inet6", a, m,
		       i->ifa_flags & IFF_UP ? " UP" : "", i->ifa_flags & IFF_LOOPBACK ? " LOOPBACK" : "",
		       i->ifa_flags & IFF_RUNNING ? " RUNNING" : "");
		if (fam == AF_INET) v4++; else v6++;
	}
	EQ("lo link entries", links, 1);
	EQ("lo IPv4 addresses", v4, 1);
	EQ("lo IPv6 addresses", v6, 1);
	freeifaddrs(ifs);
	EQ("if_nametoindex(lo)", if_nametoindex("lo"), 1);
	char name[IF_NAMESIZE];
	SEQ("if_indextoname(1)", if_indextoname(1, name), "lo");
	EQ("if_nametoindex(nonexistent0)", if_nametoindex("nonexistent0"), 0);
}

static void ioctls(void)
{
	int s = OKQ(socket(AF_INET, SOCK_DGRAM, 0));
	struct ifreq r;
	memset(&r, 0, sizeof r);
	strcpy(r.ifr_name, "lo");
	OK("SIOCGIFFLAGS", ioctl(s, SIOCGIFFLAGS, &r));
	YES("lo is up, loopback, running", (r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
	OK("SIOCGIFINDEX", ioctl(s, SIOCGIFINDEX, &r));
	EQ("index", r.ifr_ifindex, 1);
	OK("SIOCGIFMTU", ioctl(s, SIOCGIFMTU, &r));
	EQ("mtu", r.ifr_mtu, 65536);
	OK("SIOCGIFADDR", ioctl(s, SIOCGIFADDR, &r));
	SEQ("address", inet_ntoa(((struct sockaddr_in *)&r.ifr_addr)->sin_addr), "127.0.0.1");
	OK("SIOCGIFNETMASK", ioctl(s, SIOCGIFNETMASK, &r));
	SEQ("netmask", inet_ntoa(((struct sockaddr_in *)&r.ifr_netmask)->sin_addr), "255.0.0.0");
	OK("SIOCGIFHWADDR", ioctl(s, SIOCGIFHWADDR, &r));
	EQ("hardware type", r.ifr_hwaddr.sa_family, 772 /* ARPHRD_LOOPBACK */);
	memset(&r, 0, sizeof r);
	r.ifr_ifindex = 1;
	OK("SIOCGIFNAME", ioctl(s, SIOCGIFNAME, &r));
	SEQ("name", r.ifr_name, "lo");
	strcpy(r.ifr_name, "nonexistent0");
	ERR("SIOCGIFFLAGS unknown", ioctl(s, SIOCGIFFLAGS, &r), ENODEV);

	struct ifreq reqs[16];
	struct ifconf c = { .ifc_len = sizeof reqs, .ifc_req = reqs };
	OK("SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &c));
	int lo = 0;
	for (unsigned i = 0; i < c.ifc_len / sizeof reqs[0]; i++)
		if (strcmp(reqs[i].ifr_name, "lo") == 0) {
			lo++;
			SEQ("lo in SIOCGIFCONF", inet_ntoa(((struct sockaddr_in *)&reqs[i].ifr_addr)->sin_addr), "127.0.0.1");
		}
	EQ("lo entries", lo, 1);
	struct ifconf q = { .ifc_len = 0, .ifc_buf = NULL };
	OK("SIOCGIFCONF size query", ioctl(s, SIOCGIFCONF, &q));
	YES("size covers the entries", q.ifc_len == c.ifc_len);
	close(s);
}

/* send_req sends the kernel one netlink message of type with payload. */
static void send_req(int fd, int type, int flags, unsigned seq, void *payload, int plen)
{
	struct {
		struct nlmsghdr h;
		char p[64];
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = NLMSG_LENGTH(plen);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = flags;
	req.h.nlmsg_seq = seq;
	memcpy(req.p, payload, plen);
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	OKQ(sendto(fd, &req, req.h.nlmsg_len, 0, (void *)&k, sizeof k));
}

static char buf[65536];

/* receive reads one datagram from the kernel into buf. */
static int receive(int fd)
{
	struct sockaddr_nl from;
	socklen_t n = sizeof from;
	int len = OKQ(recvfrom(fd, buf, sizeof buf, 0, (void *)&from, &n));
	CHECK(n == sizeof from && from.nl_family == AF_NETLINK && from.nl_pid == 0);
	return len;
}

/* dump calls fn on each answer to dump request seq up to NLMSG_DONE,
 * however many datagrams they come in. */
static void dump(int fd, unsigned seq, unsigned pid, void (*fn)(struct nlmsghdr *))
{
	for (;;) {
		int len = receive(fd);
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			CHECK(h->nlmsg_seq == seq && h->nlmsg_pid == pid);
			if (h->nlmsg_type == NLMSG_DONE)
				return;
			CHECK(h->nlmsg_flags & NLM_F_MULTI);
			fn(h);
		}
	}
}

static int lo_links;

static void on_link(struct nlmsghdr *h)
{
	CHECK(h->nlmsg_type == RTM_NEWLINK);
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	if (ifi->ifi_index != 1)
		return;
	lo_links++;
	EQ("lo type", ifi->ifi_type, 772);
	YES("lo flags", (ifi->ifi_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
	int alen = IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == IFLA_IFNAME)
			SEQ("IFLA_IFNAME", RTA_DATA(a), "lo");
		if (a->rta_type == IFLA_MTU)
			EQ("IFLA_MTU", *(unsigned *)RTA_DATA(a), 65536);
	}
}

static void on_addr(struct nlmsghdr *h)
{
	CHECK(h->nlmsg_type == RTM_NEWADDR);
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	CHECK(ifa->ifa_family == AF_INET);
	if (ifa->ifa_index != 1)
		return;
	printf("lo: prefix %d scope %d\n", ifa->ifa_prefixlen, ifa->ifa_scope);
	int alen = IFA_PAYLOAD(h);
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		char t[INET_ADDRSTRLEN];
		if (a->rta_type == IFA_LOCAL)
			printf("IFA_LOCAL %s\n", inet_ntop(AF_INET, RTA_DATA(a), t, sizeof t));
		if (a->rta_type == IFA_LABEL)
			printf("IFA_LABEL %s\n", (char *)RTA_DATA(a));
	}
}

static void netlink(void)
{
	ERR("NETLINK_ROUTE SOCK_STREAM", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
	int fd = OKQ(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	struct sockaddr_nl sa = { .nl_family = AF_INET };
	ERR("bind wrong family", bind(fd, (void *)&sa, sizeof sa), EINVAL);
	sa.nl_family = AF_NETLINK;
	OK("bind", bind(fd, (void *)&sa, sizeof sa));
	socklen_t n = sizeof sa;
	OKQ(getsockname(fd, (void *)&sa, &n));
	YES("port ID is the process ID", sa.nl_pid == (unsigned)getpid());
	int other = OKQ(socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE));
	struct sockaddr_nl taken = { .nl_family = AF_NETLINK, .nl_pid = sa.nl_pid };
	ERR("bind a taken port ID", bind(other, (void *)&taken, sizeof taken), EADDRINUSE);
	close(other);

	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	send_req(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 41, &g, sizeof g);
	dump(fd, 41, sa.nl_pid, on_link);
	EQ("RTM_GETLINK dump: lo", lo_links, 1);

	struct ifaddrmsg am = { .ifa_family = AF_INET };
	send_req(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 42, &am, sizeof am);
	dump(fd, 42, sa.nl_pid, on_addr);

	/* A single link by index, acknowledged on request. */
	struct ifinfomsg one = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
	send_req(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 43, &one, sizeof one);
	int len = receive(fd);
	struct nlmsghdr *h = (void *)buf;
	YES("RTM_NEWLINK for index 1", h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 43 && !(h->nlmsg_flags & NLM_F_MULTI));
	h = NLMSG_NEXT(h, len);
	if (!NLMSG_OK(h, len)) {
		len = receive(fd);
		h = (void *)buf;
	}
	YES("then the acknowledgement", h->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(h))->error == 0);
	one.ifi_index = 99999;
	send_req(fd, RTM_GETLINK, NLM_F_REQUEST, 44, &one, sizeof one);
	receive(fd);
	h = (void *)buf;
	YES("unknown index: NLMSG_ERROR", h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == 44);
	struct nlmsgerr *e = NLMSG_DATA(h);
	SEQ("error", errname(-e->error), "ENODEV");
	YES("error quotes the request", e->msg.nlmsg_seq == 44 && e->msg.nlmsg_type == RTM_GETLINK);
	ERR("nothing more", recv(fd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	close(fd);
}

int main(void)
{
	show_ifaddrs();
	ioctls();
	netlink();
	return 0;
}
