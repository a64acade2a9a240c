package inet

import (
	"fmt"
	"strconv"
	"strings"
)

// Sysctls are the settings of a network namespace the stack acts on
// (/proc/sys/net/...), with Linux's defaults.
type Sysctls struct {
	// PortLow and PortHigh are ipv4.ip_local_port_range: where
	// ephemeral ports come from.
	PortLow, PortHigh uint16
	// UnprivilegedPortStart is ipv4.ip_unprivileged_port_start: binding
	// a lower port needs CAP_NET_BIND_SERVICE.
	UnprivilegedPortStart uint16
	// PingGroupLow and PingGroupHigh are ipv4.ping_group_range: the
	// groups that may make ICMP datagram sockets (none by default).
	PingGroupLow, PingGroupHigh uint32
	// Somaxconn is core.somaxconn, listen's largest backlog.
	Somaxconn int
}

// DefaultSysctls returns Linux's defaults.
func DefaultSysctls() Sysctls {
	return Sysctls{
		PortLow: ephemeralLow, PortHigh: ephemeralHigh, UnprivilegedPortStart: 1024,
		PingGroupLow: 1, PingGroupHigh: 0, Somaxconn: somaxconn,
	}
}

// Sysctls returns the namespace's settings.
func (st *Stack) Sysctls() Sysctls {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sysctls
}

// SetSysctls applies the settings among vals (keys without "net.", as
// "ipv4.ip_local_port_range") that the stack acts on; it ignores the
// others and fails on a malformed value, as Linux's sysctl write does.
func (st *Stack) SetSysctls(vals map[string]string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.sysctls
	for k, v := range vals {
		f := strings.Fields(v)
		var err error
		switch k {
		case "ipv4.ip_local_port_range":
			var lo, hi uint64
			lo, hi, err = parsePair(f, 16)
			if err == nil && (lo == 0 || lo > hi) {
				err = fmt.Errorf("bad range")
			}
			s.PortLow, s.PortHigh = uint16(lo), uint16(hi)
		case "ipv4.ip_unprivileged_port_start":
			var p uint64
			p, err = strconv.ParseUint(strings.TrimSpace(v), 10, 16)
			s.UnprivilegedPortStart = uint16(p)
		case "ipv4.ping_group_range":
			var lo, hi uint64
			lo, hi, err = parsePair(f, 32)
			s.PingGroupLow, s.PingGroupHigh = uint32(lo), uint32(hi)
		case "core.somaxconn":
			var n uint64
			n, err = strconv.ParseUint(strings.TrimSpace(v), 10, 31)
			s.Somaxconn = int(n)
		}
		if err != nil {
			return fmt.Errorf("sysctl net.%s=%q: %w", k, v, err)
		}
	}
	st.sysctls = s
	return nil
}

// parsePair reads a sysctl of two unsigned numbers of the given size.
func parsePair(f []string, bits int) (lo, hi uint64, err error) {
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("want two numbers")
	}
	if lo, err = strconv.ParseUint(f[0], 10, bits); err != nil {
		return 0, 0, err
	}
	hi, err = strconv.ParseUint(f[1], 10, bits)
	return lo, hi, err
}
