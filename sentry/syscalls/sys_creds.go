package syscalls

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

const noID = auth.NoID

// idChange applies Linux's rules for a set*id call: an unprivileged caller
// may only pick among its real, effective and saved IDs.
func idAllowed(c *auth.Credentials, cap int, id uint32, r, e, s uint32) bool {
	return id == noID || c.HasCap(cap) || id == r || id == e || id == s
}

// fixCaps applies the capability rules of a UID change (capabilities(7),
// "Effect of user ID changes on capabilities").
func fixCaps(old, c *auth.Credentials, keepCaps bool) {
	wasRoot := old.RealKUID == 0 || old.EffectiveKUID == 0 || old.SavedKUID == 0
	allNonRoot := c.RealKUID != 0 && c.EffectiveKUID != 0 && c.SavedKUID != 0
	if wasRoot && allNonRoot && !keepCaps {
		c.PermittedCaps, c.EffectiveCaps, c.AmbientCaps = 0, 0, 0
	}
	if old.EffectiveKUID == 0 && c.EffectiveKUID != 0 {
		c.EffectiveCaps = 0
	}
	if old.EffectiveKUID != 0 && c.EffectiveKUID == 0 {
		c.EffectiveCaps = c.PermittedCaps
	}
}

func setresuid(t *kernel.Task, r, e, s uint32) linux.Errno {
	old := t.Credentials()
	c := old.Fork()
	or, oe, os := uint32(old.RealKUID), uint32(old.EffectiveKUID), uint32(old.SavedKUID)
	for _, id := range []uint32{r, e, s} {
		if !idAllowed(old, auth.CapSetuid, id, or, oe, os) {
			return linux.EPERM
		}
	}
	if r != noID {
		c.RealKUID = auth.KUID(r)
	}
	if e != noID {
		c.EffectiveKUID = auth.KUID(e)
	}
	if s != noID {
		c.SavedKUID = auth.KUID(s)
	}
	c.FSUID = c.EffectiveKUID
	fixCaps(old, c, t.KeepCaps())
	t.SetCredentials(c)
	return 0
}

func setresgid(t *kernel.Task, r, e, s uint32) linux.Errno {
	old := t.Credentials()
	c := old.Fork()
	or, oe, os := uint32(old.RealKGID), uint32(old.EffectiveKGID), uint32(old.SavedKGID)
	for _, id := range []uint32{r, e, s} {
		if !idAllowed(old, auth.CapSetgid, id, or, oe, os) {
			return linux.EPERM
		}
	}
	if r != noID {
		c.RealKGID = auth.KGID(r)
	}
	if e != noID {
		c.EffectiveKGID = auth.KGID(e)
	}
	if s != noID {
		c.SavedKGID = auth.KGID(s)
	}
	c.FSGID = c.EffectiveKGID
	t.SetCredentials(c)
	return 0
}

// Setuid implements Linux syscall setuid(2).
func Setuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id := args.Uint(0)
	if id == noID {
		return 0, linux.EINVAL
	}
	if t.Credentials().HasCap(auth.CapSetuid) {
		return 0, setresuid(t, id, id, id)
	}
	return 0, setresuid(t, noID, id, noID)
}

// Setgid implements Linux syscall setgid(2).
func Setgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	id := args.Uint(0)
	if id == noID {
		return 0, linux.EINVAL
	}
	if t.Credentials().HasCap(auth.CapSetgid) {
		return 0, setresgid(t, id, id, id)
	}
	return 0, setresgid(t, noID, id, noID)
}

// Setreuid implements Linux syscall setreuid(2).
func Setreuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	r, e := args.Uint(0), args.Uint(1)
	old := t.Credentials()
	// Real may become the effective ID; effective any of r/e/s.
	if r != noID && !old.HasCap(auth.CapSetuid) && r != uint32(old.RealKUID) && r != uint32(old.EffectiveKUID) {
		return 0, linux.EPERM
	}
	s := uint32(noID)
	if r != noID || (e != noID && e != uint32(old.RealKUID)) {
		s = e
		if e == noID {
			s = uint32(old.EffectiveKUID)
		}
	}
	return 0, setresuid(t, r, e, s)
}

// Setregid implements Linux syscall setregid(2).
func Setregid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	r, e := args.Uint(0), args.Uint(1)
	old := t.Credentials()
	if r != noID && !old.HasCap(auth.CapSetgid) && r != uint32(old.RealKGID) && r != uint32(old.EffectiveKGID) {
		return 0, linux.EPERM
	}
	s := uint32(noID)
	if r != noID || (e != noID && e != uint32(old.RealKGID)) {
		s = e
		if e == noID {
			s = uint32(old.EffectiveKGID)
		}
	}
	return 0, setresgid(t, r, e, s)
}

// Setresuid implements Linux syscall setresuid(2).
func Setresuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, setresuid(t, args.Uint(0), args.Uint(1), args.Uint(2))
}

// Setresgid implements Linux syscall setresgid(2).
func Setresgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, setresgid(t, args.Uint(0), args.Uint(1), args.Uint(2))
}

// Setfsuid implements Linux syscall setfsuid(2): it returns the old fsuid
// whether or not the change was allowed.
func Setfsuid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	old := t.Credentials()
	id := args.Uint(0)
	if id != noID && idAllowed(old, auth.CapSetuid, id, uint32(old.RealKUID), uint32(old.EffectiveKUID), uint32(old.SavedKUID)) || id == uint32(old.FSUID) {
		c := old.Fork()
		c.FSUID = auth.KUID(id)
		t.SetCredentials(c)
	}
	return uintptr(old.FSUID), 0
}

// Setfsgid implements Linux syscall setfsgid(2).
func Setfsgid(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	old := t.Credentials()
	id := args.Uint(0)
	if id != noID && idAllowed(old, auth.CapSetgid, id, uint32(old.RealKGID), uint32(old.EffectiveKGID), uint32(old.SavedKGID)) || id == uint32(old.FSGID) {
		c := old.Fork()
		c.FSGID = auth.KGID(id)
		t.SetCredentials(c)
	}
	return uintptr(old.FSGID), 0
}

// ngroupsMax is NGROUPS_MAX.
const ngroupsMax = 65536

// Setgroups implements Linux syscall setgroups(2).
func Setgroups(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	n := args.Int(0)
	if n < 0 || n > ngroupsMax {
		return 0, linux.EINVAL
	}
	if !t.Credentials().HasCap(auth.CapSetgid) {
		return 0, linux.EPERM
	}
	b := make([]byte, 4*int(n))
	if errno := t.CopyIn(args.Pointer(1), b); errno != 0 {
		return 0, errno
	}
	c := t.Credentials().Fork()
	c.ExtraKGIDs = make([]auth.KGID, n)
	for i := range c.ExtraKGIDs {
		c.ExtraKGIDs[i] = auth.KGID(binary.LittleEndian.Uint32(b[4*i:]))
	}
	t.SetCredentials(c)
	return 0, 0
}

// capability header versions.
const (
	capV1 = 0x19980330
	capV2 = 0x20071026
	capV3 = 0x20080522
)

// Capget implements Linux syscall capget(2).
func Capget(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	var hdr [8]byte
	if errno := t.CopyIn(args.Pointer(0), hdr[:]); errno != 0 {
		return 0, errno
	}
	version, pid := binary.LittleEndian.Uint32(hdr[0:]), int32(binary.LittleEndian.Uint32(hdr[4:]))
	words := 2
	switch version {
	case capV1:
		words = 1
	case capV2, capV3:
	default:
		binary.LittleEndian.PutUint32(hdr[0:], capV3)
		t.CopyOut(args.Pointer(0), hdr[:4])
		if args.Pointer(1) == 0 {
			return 0, 0
		}
		return 0, linux.EINVAL
	}
	target := t
	if pid != 0 && pid != t.TID() {
		target = t.PIDNamespace().TaskWithID(pid)
		if target == nil {
			return 0, linux.ESRCH
		}
	}
	if args.Pointer(1) == 0 {
		return 0, 0
	}
	c := target.Credentials()
	b := make([]byte, 12*words)
	for i := 0; i < words; i++ {
		shift := uint(32 * i)
		binary.LittleEndian.PutUint32(b[12*i:], uint32(c.EffectiveCaps>>shift))
		binary.LittleEndian.PutUint32(b[12*i+4:], uint32(c.PermittedCaps>>shift))
		binary.LittleEndian.PutUint32(b[12*i+8:], uint32(c.InheritableCaps>>shift))
	}
	return 0, t.CopyOut(args.Pointer(1), b)
}

// Capset implements Linux syscall capset(2) for the calling thread.
func Capset(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	var hdr [8]byte
	if errno := t.CopyIn(args.Pointer(0), hdr[:]); errno != 0 {
		return 0, errno
	}
	version, pid := binary.LittleEndian.Uint32(hdr[0:]), int32(binary.LittleEndian.Uint32(hdr[4:]))
	words := 2
	switch version {
	case capV1:
		words = 1
	case capV2, capV3:
	default:
		binary.LittleEndian.PutUint32(hdr[0:], capV3)
		t.CopyOut(args.Pointer(0), hdr[:4])
		return 0, linux.EINVAL
	}
	if pid != 0 && pid != t.TID() {
		return 0, linux.EPERM
	}
	b := make([]byte, 12*words)
	if errno := t.CopyIn(args.Pointer(1), b); errno != 0 {
		return 0, errno
	}
	var eff, perm, inh auth.CapSet
	for i := 0; i < words; i++ {
		shift := uint(32 * i)
		eff |= auth.CapSet(binary.LittleEndian.Uint32(b[12*i:])) << shift
		perm |= auth.CapSet(binary.LittleEndian.Uint32(b[12*i+4:])) << shift
		inh |= auth.CapSet(binary.LittleEndian.Uint32(b[12*i+8:])) << shift
	}
	old := t.Credentials()
	// Permitted may only shrink; effective must be within permitted;
	// inheritable may only gain bits that are permitted and in the
	// bounding set unless CAP_SETPCAP.
	if perm&^old.PermittedCaps != 0 || eff&^perm != 0 {
		return 0, linux.EPERM
	}
	if !old.HasCap(auth.CapSetpcap) && inh&^(old.InheritableCaps|old.PermittedCaps) != 0 {
		return 0, linux.EPERM
	}
	if inh&^(old.InheritableCaps|old.BoundingCaps) != 0 {
		return 0, linux.EPERM
	}
	c := old.Fork()
	c.EffectiveCaps, c.PermittedCaps, c.InheritableCaps = eff, perm, inh
	c.AmbientCaps &= perm & inh
	t.SetCredentials(c)
	return 0, 0
}
