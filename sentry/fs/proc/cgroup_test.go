package proc

import (
	"errors"
	"testing"

	"moat/sentry/kernel"
)

func TestCgroupMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		want  uint64
	}{
		{"v2 own dir", map[string]string{"/proc/self/cgroup": "0::/pod/c1\n", "/sys/fs/cgroup/pod/c1/memory.max": "536870912\n"}, 512 << 20},
		{"v2 namespaced root", map[string]string{"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "1073741824\n"}, 1 << 30},
		{"v2 max", map[string]string{"/proc/self/cgroup": "0::/a\n", "/sys/fs/cgroup/a/memory.max": "max\n"}, 0},
		{"v1", map[string]string{"/proc/self/cgroup": "5:cpu,cpuacct:/\n4:memory:/x/y\n", "/sys/fs/cgroup/memory/x/y/memory.limit_in_bytes": "268435456\n"}, 256 << 20},
		{"v1 fallback to root, unlimited", map[string]string{"/proc/self/cgroup": "4:memory:/gone\n", "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0},
		{"no cgroup file", map[string]string{}, 0},
	} {
		read := func(p string) ([]byte, error) {
			if s, ok := c.files[p]; ok {
				return []byte(s), nil
			}
			return nil, errors.New("no such file")
		}
		if got := cgroupMemoryLimit(read); got != c.want {
			t.Errorf("%s: limit %d, want %d", c.name, got, c.want)
		}
	}
}

func TestLimitedMeminfo(t *testing.T) {
	got := string(formatMeminfo(limitedMeminfo(512<<20, 100<<20), LiveStats{}))
	want := "MemTotal:         524288 kB\nMemFree:          421888 kB\nMemAvailable:     421888 kB\n"
	if len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("limited meminfo =\n%s", got)
	}
	if got := limitedMeminfo(1<<20, 2<<20); got[1].Value != 0 {
		t.Errorf("over the limit: MemFree %d, want 0", got[1].Value)
	}
}

func TestFormatCgroups(t *testing.T) {
	head := "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	if got, want := formatCgroups(nil), head+"cpuset\t0\t1\t1\ncpu\t0\t1\t1\ncpuacct\t0\t1\t1\nmemory\t0\t1\t1\npids\t0\t1\t1\n"; got != want {
		t.Errorf("no hierarchies:\n%s\nwant\n%s", got, want)
	}
	hs := []kernel.CgroupHierarchy{{ID: 4, Controllers: "pids"}, {ID: 3, Controllers: "memory"}, {ID: 2, Controllers: "cpuset"}, {ID: 1, Controllers: "cpu,cpuacct"}, {ID: 0}}
	if got, want := formatCgroups(hs), head+"cpuset\t2\t1\t1\ncpu\t1\t1\t1\ncpuacct\t1\t1\t1\nmemory\t3\t1\t1\npids\t4\t1\t1\n"; got != want {
		t.Errorf("v1:\n%s\nwant\n%s", got, want)
	}
}
