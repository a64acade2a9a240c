package proc

import (
	"moat/sentry/abi/linux"
	"moat/sentry/kernel/ipc"
	"moat/sentry/kernel/mq"
)

// mqueueSysctls builds /proc/sys/fs/mqueue: the POSIX message queue
// limits of the reader's IPC namespace (sentry/kernel/mq).
func (fs *filesystem) mqueueSysctls(b *builder) *staticDir {
	return b.dir(fs.ipcLimitFiles(b, mq.Sysctls,
		func(ns *ipc.Namespace, name string) (string, bool) { return ns.MQ().Sysctl(name) },
		func(ns *ipc.Namespace, name, v string) linux.Errno { return ns.MQ().SetSysctl(name, v) },
	)...)
}
