// Package net is the home of the sentry's sockets. Each address family
// is a subpackage: unix/ serves AF_UNIX, inet/ serves AF_INET and
// AF_INET6 over the sandbox's loopback interface, netlink/ serves
// NETLINK_ROUTE's view of that interface, all inside the sentry; see
// docs/net.md. This package holds what the families share: blocking with
// socket timeouts, SIGPIPE, and the encodings of option values.
package net
