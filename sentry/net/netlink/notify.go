package netlink

// Unicast queues b on the socket as a datagram from the kernel (port ID
// 0), as netlink_sendskb does: how mq_notify's SIGEV_THREAD tells the C
// library's helper thread its cookie (sentry/syscalls/sys_mq_notify.go).
// A full socket drops it and reports ENOBUFS, as for any kernel message.
func (s *Socket) Unicast(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queueLocked(append([]byte(nil), b...))
}
