package devpts_test

import (
	"encoding/binary"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

func TestPtySignals(t *testing.T) {
	v, op, k := setup(t)
	leader := sessCtx{ctx, v, 7, 7, true}
	k.groups[7], k.groups[8], k.groups[9] = 7, 7, 9
	m, _ := v.OpenAt(leader, op("/dev/ptmx"), unix.O_RDWR, 0)
	defer m.DecRef()
	u := make(mem, 16)
	m.Write(leader, []byte{3}) // no foreground group yet: nothing sent
	if _, err := m.Ioctl(leader, u, unix.TIOCSCTTY, 0); err != 0 {
		t.Fatalf("TIOCSCTTY: %v", err)
	}
	if _, err := m.Ioctl(leader, u, unix.TIOCGPGRP, 0); err != 0 || binary.LittleEndian.Uint32(u) != 7 {
		t.Errorf("foreground after TIOCSCTTY: %v %d", err, binary.LittleEndian.Uint32(u))
	}
	binary.LittleEndian.PutUint32(u, 9)
	if _, err := m.Ioctl(leader, u, unix.TIOCSPGRP, 0); err != linux.EPERM {
		t.Errorf("TIOCSPGRP to another session's group: %v", err)
	}
	binary.LittleEndian.PutUint32(u, 10)
	if _, err := m.Ioctl(leader, u, unix.TIOCSPGRP, 0); err != linux.ESRCH {
		t.Errorf("TIOCSPGRP to no group: %v", err)
	}
	binary.LittleEndian.PutUint32(u, 8)
	if _, err := m.Ioctl(leader, u, unix.TIOCSPGRP, 0); err != 0 {
		t.Errorf("TIOCSPGRP: %v", err)
	}
	m.Write(leader, []byte("ab\x03"))
	m.Write(leader, []byte{0x1c, 0x1a})
	binary.LittleEndian.PutUint16(u[8:], 30)
	m.Ioctl(leader, u, unix.TIOCSWINSZ, 8)
	m.Ioctl(leader, u, unix.TIOCSWINSZ, 8) // unchanged: no signal
	m.Ioctl(leader, u, unix.TIOCSIG, uintptr(unix.SIGUSR1))
	want := [][2]int{{8, int(unix.SIGINT)}, {8, int(unix.SIGQUIT)}, {8, int(unix.SIGTSTP)}, {8, int(unix.SIGWINCH)}, {8, int(unix.SIGUSR1)}}
	if len(k.sent) != len(want) {
		t.Fatalf("sent %v, want %v", k.sent, want)
	}
	for i := range want {
		if k.sent[i] != want[i] {
			t.Errorf("signal %d: %v, want %v", i, k.sent[i], want[i])
		}
	}
	buf := make([]byte, 32)
	if n, _ := m.Read(ctx, buf); string(buf[:n]) != "^Z" { // each signal flushes output
		t.Errorf("echo %q", buf[:n])
	}
}

// sessCtx is a task of session sid.
type sessCtx struct {
	testCtx
	v      *vfs.VirtualFilesystem
	sid    int32
	pgid   int32
	leader bool
}

func (c sessCtx) ProcessGroupID() int32                  { return c.pgid }
func (c sessCtx) SessionID() int32                       { return c.sid }
func (c sessCtx) IsSessionLeader() bool                  { return c.leader }
func (c sessCtx) MountNamespace() *vfs.VirtualFilesystem { return c.v }

func TestControllingTerminal(t *testing.T) {
	v, op, _ := setup(t)
	leader := sessCtx{ctx, v, 7, 7, true}
	member := sessCtx{ctx, v, 7, 8, false}
	other := sessCtx{ctx, v, 9, 9, true}
	m, _ := v.OpenAt(leader, op("/dev/ptmx"), unix.O_RDWR, 0)
	u := make(mem, 16)
	m.Ioctl(leader, u, unix.TIOCSPTLCK, 0)
	m.Ioctl(leader, u, unix.TIOCGPTN, 0)
	name := "/dev/pts/" + strconv.Itoa(int(binary.LittleEndian.Uint32(u)))
	if _, err := v.OpenAt(leader, op("/dev/tty"), unix.O_RDWR, 0); err != linux.ENXIO {
		t.Errorf("/dev/tty without a controlling terminal: %v", err)
	}
	// Opening the replica without O_NOCTTY makes it the session's terminal.
	s, err := v.OpenAt(leader, op(name), unix.O_RDWR, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer s.DecRef()
	tty, err := v.OpenAt(member, op("/dev/tty"), unix.O_RDWR, 0)
	if err != 0 {
		t.Fatalf("/dev/tty in the session: %v", err)
	}
	tty.Write(member, []byte("via tty\n"))
	buf := make([]byte, 32)
	if n, _ := m.Read(ctx, buf); string(buf[:n]) != "via tty\r\n" {
		t.Errorf("master read %q", buf[:n])
	}
	tty.DecRef()
	if _, err := s.Ioctl(member, u, unix.TIOCGSID, 0); err != 0 || binary.LittleEndian.Uint32(u) != 7 {
		t.Errorf("TIOCGSID: %v %d", err, binary.LittleEndian.Uint32(u))
	}
	if _, err := v.OpenAt(other, op("/dev/tty"), unix.O_RDWR, 0); err != linux.ENXIO {
		t.Errorf("/dev/tty of another session: %v", err)
	}
	if _, err := s.Ioctl(other, u, unix.TIOCSCTTY, 0); err != linux.EPERM {
		t.Errorf("TIOCSCTTY of a terminal another session holds: %v", err)
	}
	if _, err := s.Ioctl(member, u, unix.TIOCSCTTY, 0); err != linux.EPERM {
		t.Errorf("TIOCSCTTY by a non-leader: %v", err)
	}
	if _, err := s.Ioctl(leader, u, unix.TIOCNOTTY, 0); err != 0 {
		t.Errorf("TIOCNOTTY: %v", err)
	}
	if _, err := v.OpenAt(leader, op("/dev/tty"), unix.O_RDWR, 0); err != linux.ENXIO {
		t.Errorf("/dev/tty after TIOCNOTTY: %v", err)
	}
	if _, err := s.Ioctl(other, u, unix.TIOCSCTTY, 0); err != 0 {
		t.Errorf("TIOCSCTTY of a free terminal: %v", err)
	}
	m.DecRef()
	if _, err := v.OpenAt(other, op("/dev/tty"), unix.O_RDWR, 0); err != linux.ENXIO {
		t.Errorf("/dev/tty after the pty is gone: %v", err)
	}
}

func TestSessionLeaderExit(t *testing.T) {
	v, op, k := setup(t)
	leader := sessCtx{ctx, v, 7, 7, true}
	m, _ := v.OpenAt(leader, op("/dev/ptmx"), unix.O_RDWR, 0)
	defer m.DecRef()
	u := make(mem, 8)
	if _, err := m.Ioctl(leader, u, unix.TIOCSCTTY, 0); err != 0 {
		t.Fatalf("TIOCSCTTY: %v", err)
	}
	h, ok := v.ControllingTerminal(7).(kernel.SessionLeaderExitHandler)
	if !ok {
		t.Fatal("a pty does not handle its session leader's exit")
	}
	h.SessionLeaderExited(7)
	if len(k.sent) != 1 || k.sent[0] != [2]int{7, int(unix.SIGHUP)} {
		t.Errorf("signals on leader exit: %v", k.sent)
	}
	if _, err := m.Ioctl(leader, u, unix.TIOCGPGRP, 0); err != 0 || binary.LittleEndian.Uint32(u) != 0 {
		t.Errorf("foreground group after leader exit: %v %d", err, binary.LittleEndian.Uint32(u))
	}
}

func TestDeadSessionLosesTerminal(t *testing.T) {
	v, op, k := setup(t)
	leader := sessCtx{ctx, v, 7, 7, true}
	member := sessCtx{ctx, v, 7, 8, false}
	other := sessCtx{ctx, v, 9, 9, true}
	m, _ := v.OpenAt(leader, op("/dev/ptmx"), unix.O_RDWR, 0)
	defer m.DecRef()
	u := make(mem, 8)
	if _, err := m.Ioctl(leader, u, unix.TIOCSCTTY, 0); err != 0 {
		t.Fatalf("TIOCSCTTY: %v", err)
	}
	if _, err := m.Ioctl(other, u, unix.TIOCSCTTY, 0); err != linux.EPERM {
		t.Errorf("TIOCSCTTY of a held terminal: %v", err)
	}
	k.dead[7] = true // the leader exits
	if _, err := v.OpenAt(member, op("/dev/tty"), unix.O_RDWR, 0); err != linux.ENXIO {
		t.Errorf("/dev/tty of a session whose leader exited: %v", err)
	}
	if _, err := m.Ioctl(other, u, unix.TIOCSCTTY, 0); err != 0 {
		t.Errorf("TIOCSCTTY after the old session's leader exited: %v", err)
	}
	if _, err := m.Ioctl(other, u, unix.TIOCGSID, 0); err != 0 || binary.LittleEndian.Uint32(u) != 9 {
		t.Errorf("TIOCGSID: %v %d", err, binary.LittleEndian.Uint32(u))
	}
}
