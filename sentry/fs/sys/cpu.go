package sys

import (
	"strconv"
	"sync"

	"moat/internal/cpuset"
	"moat/sentry/vfs"
)

// newCPUDir returns devices/system/cpu: the CPU lists and a cpuN
// directory (empty: the sandbox knows no topology, frequency or cache of
// its CPUs) for each of the kernel's CPUs 0..N-1, N = Kernel.CPUs(),
// which sched_getaffinity and /proc/cpuinfo report too. Every CPU is
// online, present and possible; none is offline. N follows runsc update.
func (fs *filesystem) newCPUDir() *dir {
	d := fs.newDir(nil)
	list := func(vfs.Context) string { return cpuset.List(fs.k.CPUs()) + "\n" }
	for _, name := range []string{"online", "possible", "present"} {
		d.add(name, fs.newFile(0o444, list))
	}
	d.add("offline", fs.newFile(0o444, func(vfs.Context) string { return "\n" }))
	// mu guards cpus: cpus[i] is cpu<i>, made when first listed and kept
	// (the vfs keeps its dentry), gone while i >= the CPU count.
	var mu sync.Mutex
	var cpus []*dir
	d.more = func() []entry {
		n := fs.k.CPUs()
		mu.Lock()
		defer mu.Unlock()
		for i := len(cpus); i < n; i++ {
			cpus = append(cpus, fs.newDir(func() bool { return i < fs.k.CPUs() }))
		}
		ents := make([]entry, n)
		for i := range n {
			ents[i] = entry{"cpu" + strconv.Itoa(i), cpus[i]}
		}
		return ents
	}
	return d
}
