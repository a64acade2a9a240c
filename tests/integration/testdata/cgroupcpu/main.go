// Command cgroupcpu reports what a Go program (Go 1.25+) sizes itself
// from inside a container: runtime.GOMAXPROCS, runtime.NumCPU, and the
// CPU limit found the way Go's runtime finds it (internal/runtime/cgroup:
// the "0::" or "cpu" line of /proc/self/cgroup, the cgroup2 or cgroup
// mount with "cpu" in its options in /proc/self/mountinfo, then cpu.max
// or cpu.cfs_quota_us / cpu.cfs_period_us below it).
//
// "cgroupcpu" prints one line; "cgroupcpu watch N" waits (up to 30 s)
// for GOMAXPROCS to become N, which the runtime re-reads about once a
// second, and prints the line then.
package main

import (
	"fmt"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "watch" {
		want, _ := strconv.Atoi(os.Args[2])
		fmt.Println("ready")
		for end := time.Now().Add(30 * time.Second); runtime.GOMAXPROCS(0) != want && time.Now().Before(end); {
			time.Sleep(100 * time.Millisecond)
		}
	}
	limit, file, err := cgroupLimit()
	if err != nil {
		limit = "error: " + err.Error()
	}
	fmt.Printf("gomaxprocs=%d numcpu=%d limit=%s file=%s\n", runtime.GOMAXPROCS(0), runtime.NumCPU(), limit, file)
}

// cgroupLimit returns the CPU limit (quota/period, or "max") and the
// file it came from.
func cgroupLimit() (string, string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", "", err
	}
	v2, cg := "", ""
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			return "", "", fmt.Errorf("malformed /proc/self/cgroup line %q", line)
		}
		if f[0] == "0" {
			v2 = f[2]
		} else if hasCPU(f[1]) {
			cg = f[2]
			break
		}
	}
	version := 1
	if cg == "" {
		if v2 == "" {
			return "", "", fmt.Errorf("no cgroup")
		}
		cg, version = v2, 2
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(mi), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		pf, sf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(sf) < 3 {
			continue
		}
		root, mnt := pf[3], pf[4]
		switch {
		case version == 2 && sf[0] == "cgroup2":
		case version == 1 && sf[0] == "cgroup" && hasCPU(sf[2]):
		default:
			continue
		}
		if root != "/" && cg != root && !strings.HasPrefix(cg, root+"/") {
			continue
		}
		dir := path.Join(mnt, strings.TrimPrefix(cg, root))
		if version == 2 {
			b, err := os.ReadFile(path.Join(dir, "cpu.max"))
			if err != nil {
				return "", "", err
			}
			q, p, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
			if q == "max" {
				return "max", path.Join(dir, "cpu.max"), nil
			}
			return q + "/" + p, path.Join(dir, "cpu.max"), nil
		}
		q, err := os.ReadFile(path.Join(dir, "cpu.cfs_quota_us"))
		if err != nil {
			return "", "", err
		}
		p, err := os.ReadFile(path.Join(dir, "cpu.cfs_period_us"))
		if err != nil {
			return "", "", err
		}
		if strings.TrimSpace(string(q)) == "-1" {
			return "max", path.Join(dir, "cpu.cfs_quota_us"), nil
		}
		return strings.TrimSpace(string(q)) + "/" + strings.TrimSpace(string(p)), path.Join(dir, "cpu.cfs_quota_us"), nil
	}
	return "", "", fmt.Errorf("no cgroup mount for %q", cg)
}

// hasCPU reports whether a comma-separated list has "cpu".
func hasCPU(list string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == "cpu" {
			return true
		}
	}
	return false
}
