// Package netlink implements AF_NETLINK sockets of protocol
// NETLINK_ROUTE inside the sentry, enough to describe the sandbox's
// network to the application: RTM_GETLINK and RTM_GETADDR (dumps and
// single requests) answer from the network stack's interfaces, as
// Go's net.Interfaces, glibc's getifaddrs and `ip addr` ask. Requests to
// change the network are EPERM without CAP_NET_ADMIN and EOPNOTSUPP
// with it; other netlink protocols are EPROTONOSUPPORT.
//
// Lock order: Socket.mu, then the stack's locks.
package netlink
