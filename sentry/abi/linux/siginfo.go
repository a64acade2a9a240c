package linux

import "encoding/binary"

// SignalInfo is siginfo_t (128 bytes), kept in its binary layout.
type SignalInfo [128]byte

// si_code values.
const (
	SI_USER     = 0
	SI_KERNEL   = 0x80
	SI_QUEUE    = -1
	SI_TIMER    = -2
	SI_TKILL    = -6
	SEGV_MAPERR = 1
	SEGV_ACCERR = 2
)

// Signo returns si_signo.
func (s *SignalInfo) Signo() int { return int(int32(binary.LittleEndian.Uint32(s[0:]))) }

// SetSigno sets si_signo.
func (s *SignalInfo) SetSigno(v int) { binary.LittleEndian.PutUint32(s[0:], uint32(int32(v))) }

// Code returns si_code.
func (s *SignalInfo) Code() int32 { return int32(binary.LittleEndian.Uint32(s[8:])) }

// SetCode sets si_code.
func (s *SignalInfo) SetCode(v int32) { binary.LittleEndian.PutUint32(s[8:], uint32(v)) }

// SetPID sets si_pid (kill, tgkill, SIGCHLD).
func (s *SignalInfo) SetPID(v int32) { binary.LittleEndian.PutUint32(s[16:], uint32(v)) }

// SetUID sets si_uid.
func (s *SignalInfo) SetUID(v uint32) { binary.LittleEndian.PutUint32(s[20:], v) }

// SetAddr sets si_addr (faults).
func (s *SignalInfo) SetAddr(v uint64) { binary.LittleEndian.PutUint64(s[16:], v) }

// Addr returns si_addr.
func (s *SignalInfo) Addr() uint64 { return binary.LittleEndian.Uint64(s[16:]) }

// NewSignalInfo returns a siginfo for signo with code.
func NewSignalInfo(signo int, code int32) *SignalInfo {
	var s SignalInfo
	s.SetSigno(signo)
	s.SetCode(code)
	return &s
}

// SignalSetOf returns the set holding only sig.
func SignalSetOf(sig int) SigSet { return SigSet(1) << uint(sig-1) }

// SetStatus sets si_status (SIGCHLD).
func (s *SignalInfo) SetStatus(v int32) { binary.LittleEndian.PutUint32(s[24:], uint32(v)) }

// SIGCHLD si_code values.
const (
	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6
)

// SetTimer sets si_timerid and si_value (SI_TIMER).
func (s *SignalInfo) SetTimer(id int32, value uint64) {
	binary.LittleEndian.PutUint32(s[16:], uint32(id))
	binary.LittleEndian.PutUint64(s[24:], value)
}
