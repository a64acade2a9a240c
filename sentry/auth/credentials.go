// Package auth holds the sentry's emulated credentials: user and group IDs
// and capability sets of a task. File-permission checks on sandbox file
// systems are decided from these, never from the host's.
package auth

// KUID is a user ID as the sandbox sees it.
type KUID uint32

// KGID is a group ID as the sandbox sees it.
type KGID uint32

// NoID is the "no change" / invalid ID (-1).
const NoID = 0xffffffff

// CapSet is a capability bit set (bit N = capability N).
type CapSet uint64

// Capability numbers used by permission checks.
const (
	CapChown          = 0
	CapDacOverride    = 1
	CapDacReadSearch  = 2
	CapFowner         = 3
	CapFsetid         = 4
	CapKill           = 5
	CapSetgid         = 6
	CapSetuid         = 7
	CapSetpcap        = 8
	CapNetBindService = 10
	CapNetRaw         = 13
	CapSysChroot      = 18
	CapSysPtrace      = 19
	CapSysAdmin       = 21
	CapSysResource    = 24
	CapSysNice        = 23
	CapMknod          = 27
	CapAuditWrite     = 29
	CapSetfcap        = 31
	CapLastCap        = 40
)

// AllCaps has every capability up to CapLastCap.
const AllCaps CapSet = (1 << (CapLastCap + 1)) - 1

// Has reports whether cap is in s.
func (s CapSet) Has(cap int) bool { return s&(1<<uint(cap)) != 0 }

// Credentials are a task's IDs and capabilities. A Credentials value is
// immutable once shared: change a copy made with Fork and install it.
type Credentials struct {
	RealKUID, EffectiveKUID, SavedKUID, FSUID KUID
	RealKGID, EffectiveKGID, SavedKGID, FSGID KGID
	ExtraKGIDs                                []KGID

	PermittedCaps, InheritableCaps, EffectiveCaps, BoundingCaps, AmbientCaps CapSet

	NoNewPrivs bool
}

// NewRoot returns credentials for uid/gid 0 with every capability.
func NewRoot() *Credentials {
	return &Credentials{
		PermittedCaps: AllCaps, EffectiveCaps: AllCaps, BoundingCaps: AllCaps,
	}
}

// NewUser returns credentials for uid/gid with no capabilities unless uid is 0.
func NewUser(uid KUID, gid KGID, extra []KGID) *Credentials {
	c := &Credentials{
		RealKUID: uid, EffectiveKUID: uid, SavedKUID: uid, FSUID: uid,
		RealKGID: gid, EffectiveKGID: gid, SavedKGID: gid, FSGID: gid,
		ExtraKGIDs:   append([]KGID(nil), extra...),
		BoundingCaps: AllCaps,
	}
	if uid == 0 {
		c.PermittedCaps, c.EffectiveCaps = AllCaps, AllCaps
	}
	return c
}

// Fork returns a deep copy of c that may be changed.
func (c *Credentials) Fork() *Credentials {
	n := *c
	n.ExtraKGIDs = append([]KGID(nil), c.ExtraKGIDs...)
	return &n
}

// HasCap reports whether the effective set has cap.
func (c *Credentials) HasCap(cap int) bool { return c.EffectiveCaps.Has(cap) }

// InGroup reports whether gid is the filesystem group or a supplementary one.
func (c *Credentials) InGroup(gid KGID) bool {
	if c.FSGID == gid {
		return true
	}
	for _, g := range c.ExtraKGIDs {
		if g == gid {
			return true
		}
	}
	return false
}
