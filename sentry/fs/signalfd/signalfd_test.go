package signalfd

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/vfs"
)

type testCtx struct{}

func (testCtx) Credentials() *auth.Credentials { return auth.NewRoot() }

func TestEncode(t *testing.T) {
	le := binary.LittleEndian
	kill := linux.NewSignalInfo(int(unix.SIGUSR1), linux.SI_USER)
	kill.SetPID(42)
	kill.SetUID(7)
	queued := linux.NewSignalInfo(linux.SIGRTMIN+1, linux.SI_QUEUE)
	queued.SetPID(43)
	le.PutUint64(queued[24:], 0xdeadbeef)
	fault := linux.NewSignalInfo(int(unix.SIGSEGV), linux.SEGV_MAPERR)
	fault.SetAddr(0x1000)
	child := linux.NewSignalInfo(int(unix.SIGCHLD), linux.CLD_EXITED)
	child.SetPID(44)
	child.SetStatus(3)
	for _, tc := range []struct {
		name string
		info *linux.SignalInfo
		// offsets in signalfd_siginfo and the 32-bit values expected there
		want map[int]uint32
	}{
		{"kill", kill, map[int]uint32{0: uint32(unix.SIGUSR1), 8: 0, 12: 42, 16: 7}},
		{"sigqueue", queued, map[int]uint32{8: uint32(0xffffffff), 12: 43, 44: 0xdeadbeef, 48: 0xdeadbeef}},
		{"fault", fault, map[int]uint32{8: linux.SEGV_MAPERR, 12: 0, 72: 0x1000}},
		{"child", child, map[int]uint32{12: 44, 40: 3}},
	} {
		b := make([]byte, InfoSize)
		encode(b, tc.info)
		for off, v := range tc.want {
			if got := le.Uint32(b[off:]); got != v {
				t.Errorf("%s: offset %d = %#x, want %#x", tc.name, off, got, v)
			}
		}
	}
}

func TestMaskAndContext(t *testing.T) {
	fd := New(linux.SignalSetOf(int(unix.SIGUSR1))|linux.UnblockableSignals, NonBlock)
	defer fd.DecRef()
	s := FromFile(fd)
	if s.Mask() != linux.SignalSetOf(int(unix.SIGUSR1)) {
		t.Fatalf("mask %#x: SIGKILL and SIGSTOP must be left out", s.Mask())
	}
	if fd.WatchedSignals() != s.Mask() {
		t.Fatal("WatchedSignals is not the mask")
	}
	// Without a task there is nothing pending and nothing to read.
	if fd.Readiness(testCtx{}, vfs.EventIn) != 0 {
		t.Fatal("readable without a task")
	}
	if _, err := s.Read(testCtx{}, fd, make([]byte, InfoSize), -1); err != linux.EAGAIN {
		t.Fatalf("read without a task: %v", err)
	}
	if _, err := s.Read(testCtx{}, fd, make([]byte, InfoSize-1), -1); err != linux.EINVAL {
		t.Fatalf("short read: %v", err)
	}
	if _, err := s.Read(testCtx{}, fd, make([]byte, InfoSize), 0); err != linux.ESPIPE {
		t.Fatalf("pread: %v", err)
	}
}
