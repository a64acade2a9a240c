package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"moat/sentry/control"
)

// HostPIDs lists the host PIDs of the processes ps reported, in order:
// the host processes (the platform's stubs) that run them, as runc's
// `ps --format json` lists host PIDs. The sentry knows a stub's PID in
// the sandbox's PID namespace only; the host PID is found among the
// sandbox process's descendants by the last field of their NSpid. A
// process without a stub (a zombie) is left out, and processes sharing an
// address space (vfork) share one entry.
func (c *Container) HostPIDs(ps []control.ProcessInfo) ([]int, error) {
	pairs, err := c.HostPIDPairs(ps)
	if err != nil {
		return nil, err
	}
	pids := []int{}
	for _, p := range pairs {
		pids = append(pids, p.HostPID)
	}
	return pids, nil
}

// PIDPair is a process's host PID (its stub's) with its PID in the
// sandbox.
type PIDPair struct {
	HostPID    int   `json:"hostPid"`
	SandboxPID int32 `json:"sandboxPid"`
}

// HostPIDPairs is HostPIDs with each host PID's sandbox PID: of processes
// sharing a stub, the first ps lists.
func (c *Container) HostPIDPairs(ps []control.ProcessInfo) ([]PIDPair, error) {
	pairs := []PIDPair{}
	if len(ps) == 0 {
		return pairs, nil // a stopped container: its sandbox may be gone
	}
	byNS, err := descendantsByNSPID(c.SandboxPID)
	if err != nil {
		return nil, fmt.Errorf("finding the host processes of %q: %w", c.ID, err)
	}
	seen := map[int]bool{}
	for _, p := range ps {
		h, ok := byNS[int(p.StubPID)]
		if p.StubPID == 0 || !ok || seen[h] {
			continue
		}
		seen[h] = true
		pairs = append(pairs, PIDPair{HostPID: h, SandboxPID: p.PID})
	}
	return pairs, nil
}

// descendantsByNSPID maps the PIDs of root's descendants as their own
// (innermost) PID namespace numbers them to host PIDs.
func descendantsByNSPID(root int) (map[int]int, error) {
	m := map[int]int{}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		ns, err := innermostPID(pid)
		if err != nil {
			if pid == root {
				return nil, err
			}
			continue // gone meanwhile
		}
		m[ns] = pid
		lists, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, l := range lists {
			b, _ := os.ReadFile(l)
			for _, f := range strings.Fields(string(b)) {
				if child, err := strconv.Atoi(f); err == nil {
					queue = append(queue, child)
				}
			}
		}
	}
	return m, nil
}

// innermostPID is pid's number in its own PID namespace (the last field
// of NSpid in /proc/PID/status).
func innermostPID(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.Atoi(f[len(f)-1])
			}
		}
	}
	return 0, fmt.Errorf("no NSpid in /proc/%d/status", pid)
}
