package proc

import (
	"fmt"

	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// NewInNamespace is New for the processes of PID namespace ns (a pod
// container's own namespace): it lists them and names them by their PIDs
// in ns, as a /proc mounted inside that namespace does on Linux.
func NewInNamespace(ns *kernel.PIDNamespace, k *kernel.Kernel, v *vfs.VirtualFilesystem, host *HostInfo) (*vfs.Filesystem, error) {
	if ns == nil || k == nil || v == nil {
		return nil, fmt.Errorf("creating procfs: missing namespace, kernel or vfs")
	}
	vfsfs := newFilesystem(k, v, host, readLiveStats)
	vfsfs.Impl().(*filesystem).ns = ns
	return vfsfs, nil
}
