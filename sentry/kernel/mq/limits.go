package mq

import (
	"strconv"
	"strings"

	"moat/sentry/abi/linux"
)

// Sysctls are the namespace's files in /proc/sys/fs/mqueue (and the
// fs.mqueue.* keys of linux.sysctl).
var Sysctls = []string{"msg_default", "msg_max", "msgsize_default", "msgsize_max", "queues_max"}

// field returns the limit name names, nil for none.
func (l *Limits) field(name string) *int64 {
	switch name {
	case "msg_default":
		return &l.MsgDefault
	case "msg_max":
		return &l.MsgMax
	case "msgsize_default":
		return &l.MsgsizeDefault
	case "msgsize_max":
		return &l.MsgsizeMax
	case "queues_max":
		return &l.QueuesMax
	}
	return nil
}

// bounds are the values Linux's handlers accept (ipc/mq_sysctl.c):
// queues_max takes any int.
func bounds(name string) (lo, hi int64) {
	switch name {
	case "msg_default", "msg_max":
		return minMsgMax, hardMsgMax
	case "msgsize_default", "msgsize_max":
		return minMsgsizeMax, hardMsgsizeMax
	}
	return -1 << 31, 1<<31 - 1
}

// Sysctl returns the contents of /proc/sys/fs/mqueue/name.
func (r *Registry) Sysctl(name string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.limits.field(name)
	if p == nil {
		return "", false
	}
	return strconv.FormatInt(*p, 10) + "\n", true
}

// SetSysctl sets /proc/sys/fs/mqueue/name (a write to the file, or
// linux.sysctl in config.json): an integer within Linux's range, else
// EINVAL.
func (r *Registry) SetSysctl(name, value string) linux.Errno {
	f := strings.Fields(value)
	if len(f) == 0 {
		return linux.EINVAL
	}
	v, err := strconv.ParseInt(f[0], 10, 64)
	lo, hi := bounds(name)
	if err != nil || v < lo || v > hi {
		return linux.EINVAL
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.limits.field(name)
	if p == nil {
		return linux.ENOENT
	}
	*p = v
	return 0
}
