// Package net is the home of the sentry's sockets. Each address family
// is a subpackage: unix/ serves AF_UNIX entirely inside the sentry. The
// inet families are not implemented yet (socket(2) fails with
// EAFNOSUPPORT); see docs/net.md.
package net
