package proc

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/net/inet"
	"moat/sentry/vfs"
)

// newNet builds /proc/net: the sandbox's network namespace as Linux's
// files describe it (a directory here; Linux makes it a link to
// self/net, the same thing for a single namespace).
func (fs *filesystem) newNet(b *builder) *staticDir {
	return b.dir(
		child{"dev", b.file(fs.genNetDev)},
		child{"if_inet6", b.file(fs.genIfInet6)},
		child{"tcp", b.file(fs.genSockets(unix.SOCK_STREAM, unix.AF_INET))},
		child{"tcp6", b.file(fs.genSockets(unix.SOCK_STREAM, unix.AF_INET6))},
		child{"udp", b.file(fs.genSockets(unix.SOCK_DGRAM, unix.AF_INET))},
		child{"udp6", b.file(fs.genSockets(unix.SOCK_DGRAM, unix.AF_INET6))},
	)
}

func (fs *filesystem) stack() *inet.Stack { return inet.StackOf(fs.v) }

// genNetDev is /proc/net/dev: lo's traffic both ways (inet.Stack.Counters).
func (fs *filesystem) genNetDev(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	var sb strings.Builder
	sb.WriteString("Inter-|   Receive                                                |  Transmit\n")
	sb.WriteString(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n")
	bytes, packets := fs.stack().Counters()
	for _, f := range fs.stack().Interfaces() {
		fmt.Fprintf(&sb, "%6s:%8d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d\n",
			f.Name, bytes, packets, 0, 0, 0, 0, 0, 0, bytes, packets, 0, 0, 0, 0, 0, 0)
	}
	return []byte(sb.String()), 0
}

// genIfInet6 is /proc/net/if_inet6: each IPv6 address with its
// interface index, prefix length, scope (host) and flags (permanent).
func (fs *filesystem) genIfInet6(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
	var sb strings.Builder
	for _, f := range fs.stack().Interfaces() {
		for _, p := range f.Addrs {
			if p.Addr().Is4() {
				continue
			}
			a := p.Addr().As16()
			fmt.Fprintf(&sb, "%x %02x %02x %02x %02x %8s\n", a[:], f.Index, p.Bits(), 0x10, 0x80, f.Name)
		}
	}
	return []byte(sb.String()), 0
}

// Linux's TCP state number for a listener, its initial retransmission
// timeout (in USER_HZ ticks) and initial congestion window.
const (
	tcpListen   = 10
	initialRTO  = 100
	initialCwnd = 10
)

// Widths of the lines of /proc/net/tcp and udp, which Linux pads with
// spaces (TMPSZ - 1).
const (
	tcpLine = 149
	udpLine = 127
)

// genSockets renders /proc/net/{tcp,tcp6,udp,udp6}: the sockets of
// family holding a port, with Linux's columns. The timer, retransmit,
// reference count, RTO and congestion columns hold Linux's initial
// values: this stack has no timers, retransmissions or congestion.
func (fs *filesystem) genSockets(typ, family int32) generator {
	return func(vfs.Context, *kernel.Task) ([]byte, linux.Errno) {
		var sb strings.Builder
		v6 := family == unix.AF_INET6
		hdr := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
		switch {
		case v6:
			hdr = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		case typ == unix.SOCK_DGRAM:
			hdr = fmt.Sprintf("%-*s\n", udpLine, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops")
		default:
			hdr = fmt.Sprintf("%-*s\n", tcpLine, hdr)
		}
		sb.WriteString(hdr)
		i := 0
		for _, s := range fs.stack().Sockets(typ) {
			if s.Family != family {
				continue
			}
			loc, rem := hexAddr(s.Local, v6), hexAddr(s.Remote, v6)
			var line string
			if typ == unix.SOCK_DGRAM {
				line = fmt.Sprintf("%5d: %s %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d",
					i, loc, rem, s.State, s.TxQueue, s.RxQueue, 0, 0, 0, s.UID, 0, s.Ino, 2, 0, 0)
			} else {
				// A listener's last column is its fast open queue
				// (none); a connection's, slow start's threshold
				// (-1: still in slow start).
				last := -1
				if s.State == tcpListen {
					last = 0
				}
				line = fmt.Sprintf("%4d: %s %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x %d %d %d %d %d",
					i, loc, rem, s.State, s.TxQueue, s.RxQueue, 0, 0, 0, s.UID, 0, s.Ino, 1, 0, initialRTO, 0, 0, initialCwnd, last)
			}
			if !v6 {
				width := tcpLine
				if typ == unix.SOCK_DGRAM {
					width = udpLine
				}
				line = fmt.Sprintf("%-*s", width, line)
			}
			sb.WriteString(line + "\n")
			i++
		}
		return []byte(sb.String()), 0
	}
}

// hexAddr formats an address and port as Linux's socket tables do: the
// address's 32-bit words in host byte order, the port in hex.
func hexAddr(a netip.AddrPort, v6 bool) string {
	ip := a.Addr()
	if !v6 {
		b := ip.As4()
		return fmt.Sprintf("%08X:%04X", binary.LittleEndian.Uint32(b[:]), a.Port())
	}
	b := ip.As16()
	var sb strings.Builder
	for i := 0; i < 16; i += 4 {
		fmt.Fprintf(&sb, "%08X", binary.LittleEndian.Uint32(b[i:]))
	}
	return fmt.Sprintf("%s:%04X", sb.String(), a.Port())
}
