package inet

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// Sizes of struct ifreq and struct ifconf.
const (
	sizeofIfreq  = 40
	sizeofIfconf = 16
	ifNameSize   = 16
)

// Ioctl answers the interface queries any socket takes (Linux's
// dev_ioctl and devinet_ioctl): SIOCGIFCONF, SIOCGIFFLAGS,
// SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU, SIOCGIFADDR, SIOCGIFNETMASK,
// SIOCGIFHWADDR and SIOCGIFTXQLEN. ENODEV for an unknown interface,
// EADDRNOTAVAIL for one without an IPv4 address, ENOTTY for anything
// else (changing interfaces is not supported).
func (st *Stack) Ioctl(mem vfs.UserMemory, cmd uint32, arg uintptr) (uintptr, linux.Errno) {
	if cmd == unix.SIOCGIFCONF {
		return 0, st.ifconf(mem, arg)
	}
	switch cmd {
	case unix.SIOCGIFFLAGS, unix.SIOCGIFINDEX, unix.SIOCGIFNAME, unix.SIOCGIFMTU, unix.SIOCGIFADDR,
		unix.SIOCGIFNETMASK, unix.SIOCGIFHWADDR, unix.SIOCGIFTXQLEN:
	default:
		return 0, linux.ENOTTY
	}
	var req [sizeofIfreq]byte
	if err := mem.CopyIn(arg, req[:]); err != 0 {
		return 0, err
	}
	var f Interface
	var ok bool
	if cmd == unix.SIOCGIFNAME {
		f, ok = st.InterfaceByIndex(int32(binary.LittleEndian.Uint32(req[ifNameSize:])))
	} else {
		name, _, _ := bytes.Cut(req[:ifNameSize], []byte{0})
		f, ok = st.InterfaceByName(string(name))
	}
	if !ok {
		return 0, linux.ENODEV
	}
	u := req[ifNameSize:]
	clear(u)
	le := binary.LittleEndian
	switch cmd {
	case unix.SIOCGIFNAME:
		clear(req[:ifNameSize])
		copy(req[:ifNameSize-1], f.Name)
	case unix.SIOCGIFFLAGS:
		le.PutUint16(u, uint16(f.Flags))
	case unix.SIOCGIFINDEX:
		le.PutUint32(u, uint32(f.Index))
	case unix.SIOCGIFMTU:
		le.PutUint32(u, f.MTU)
	case unix.SIOCGIFTXQLEN:
		le.PutUint32(u, f.TxQueueLen)
	case unix.SIOCGIFHWADDR:
		le.PutUint16(u, f.Type)
	case unix.SIOCGIFADDR, unix.SIOCGIFNETMASK:
		p, ok := f.ipv4()
		if !ok {
			return 0, linux.EADDRNOTAVAIL
		}
		a := p.Addr()
		if cmd == unix.SIOCGIFNETMASK {
			a = maskOf(p.Bits())
		}
		copy(u, encodeAddr(unix.AF_INET, netip.AddrPortFrom(a, 0)))
	}
	return 0, mem.CopyOut(arg, req[:])
}

// ipv4 returns the interface's first IPv4 address.
func (f *Interface) ipv4() (netip.Prefix, bool) {
	for _, p := range f.Addrs {
		if p.Addr().Is4() {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// maskOf returns the IPv4 netmask of a prefix length.
func maskOf(bits int) netip.Addr {
	var m [4]byte
	binary.BigEndian.PutUint32(m[:], ^uint32(0)<<(32-bits))
	return netip.AddrFrom4(m)
}

// ifconf implements SIOCGIFCONF: an ifreq with the IPv4 address of each
// interface that has one, as far as ifc_len allows; with a null buffer
// only the length needed.
func (st *Stack) ifconf(mem vfs.UserMemory, arg uintptr) linux.Errno {
	var c [sizeofIfconf]byte
	if err := mem.CopyIn(arg, c[:]); err != 0 {
		return err
	}
	le := binary.LittleEndian
	room := int(int32(le.Uint32(c[:])))
	buf := uintptr(le.Uint64(c[8:]))
	var out []byte
	for _, f := range st.Interfaces() {
		p, ok := f.ipv4()
		if !ok {
			continue
		}
		var req [sizeofIfreq]byte
		copy(req[:ifNameSize-1], f.Name)
		copy(req[ifNameSize:], encodeAddr(unix.AF_INET, netip.AddrPortFrom(p.Addr(), 0)))
		if buf != 0 && len(out)+sizeofIfreq > room {
			break
		}
		out = append(out, req[:]...)
	}
	if buf != 0 && len(out) > 0 {
		if err := mem.CopyOut(buf, out); err != 0 {
			return err
		}
	}
	le.PutUint32(c[:], uint32(len(out)))
	return mem.CopyOut(arg, c[:4])
}
