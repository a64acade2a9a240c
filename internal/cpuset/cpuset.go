// Package cpuset counts the CPUs of cpuset lists and works out how many
// CPUs a container's limits let it use. runsc (cgroups) and the sentry
// both use it, so the CPU count a sandbox starts with and the one it
// reports after runsc update come from one rule.
package cpuset

import (
	"strconv"
	"strings"
)

// DefaultPeriod is the CFS period (µs) when a quota is given without one.
const DefaultPeriod = 100000

// Count counts the CPUs of a cpuset list ("0-3,6"); 0 for an empty or
// malformed list.
func Count(list string) int {
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(list), ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}

// Allowed is how many CPUs a container may use on a host with host CPUs:
// the fewest of the host's, its cpuset's (cpus CPUs, 0 for no cpuset)
// and its CPU quota's, quota µs per period µs rounded up (quota <= 0: no
// quota; period 0: DefaultPeriod). It is at least 1.
func Allowed(host, cpus int, quota int64, period uint64) int {
	n := max(host, 1)
	if cpus > 0 && cpus < n {
		n = cpus
	}
	if quota > 0 {
		if period == 0 {
			period = DefaultPeriod
		}
		if c := (uint64(quota) + period - 1) / period; c > 0 && c < uint64(n) {
			n = int(c)
		}
	}
	return n
}

// List renders CPUs 0..n-1 as Linux prints a CPU list ("0", "0-3").
func List(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "0"
	}
	return "0-" + strconv.Itoa(n-1)
}
