package devpts_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/dev"
	"moat/sentry/fs/devpts"
	"moat/sentry/fs/tmpfs"
	"moat/sentry/vfs"
)

type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var ctx = testCtx{auth.NewRoot()}

// fakeKernel records the signals terminals send; groups maps process
// groups to sessions.
type fakeKernel struct {
	sent   [][2]int
	leader [][2]int
	groups map[int32]int32
	dead   map[int32]bool
}

func (k *fakeKernel) SendProcessGroupSignal(pgid int32, sig int) bool {
	k.sent = append(k.sent, [2]int{int(pgid), sig})
	return true
}

func (k *fakeKernel) SendSessionLeaderSignal(sid int32, sig int) {
	k.leader = append(k.leader, [2]int{int(sid), sig})
}

func (k *fakeKernel) SessionLeaderAlive(sid int32) bool { return !k.dead[sid] }

func (k *fakeKernel) ProcessGroupSession(pgid int32) (int32, bool) {
	s, ok := k.groups[pgid]
	return s, ok
}

// setup builds / (tmpfs), /dev and /dev/pts.
func setup(t *testing.T) (*vfs.VirtualFilesystem, func(string) *vfs.PathOp, *fakeKernel) {
	v := vfs.New()
	if _, err := v.MountRoot(tmpfs.New(v, tmpfs.Options{}), vfs.MountFlags{}); err != 0 {
		t.Fatal(err)
	}
	root := v.Root()
	op := func(p string) *vfs.PathOp { return &vfs.PathOp{Root: root, Start: root, Path: p, Follow: true} }
	if err := v.MkdirAt(ctx, op("/dev"), 0o755); err != 0 {
		t.Fatal(err)
	}
	fs, err := dev.New(v)
	if err != 0 {
		t.Fatal(err)
	}
	if _, err := v.MountAt(ctx, root, "/dev", fs, vfs.MountFlags{}); err != 0 {
		t.Fatal(err)
	}
	k := &fakeKernel{groups: map[int32]int32{}, dead: map[int32]bool{}}
	if _, err := v.MountAt(ctx, root, "/dev/pts", devpts.New(v, k, devpts.DefaultOptions), vfs.MountFlags{}); err != 0 {
		t.Fatal(err)
	}
	return v, op, k
}

// mem is application memory for ioctls: addresses index the slice.
type mem []byte

func (m mem) CopyIn(addr uintptr, dst []byte) linux.Errno {
	if int(addr)+len(dst) > len(m) {
		return linux.EFAULT
	}
	copy(dst, m[addr:])
	return 0
}

func (m mem) CopyOut(addr uintptr, src []byte) linux.Errno {
	if int(addr)+len(src) > len(m) {
		return linux.EFAULT
	}
	copy(m[addr:], src)
	return 0
}

func TestPty(t *testing.T) {
	v, op, _ := setup(t)
	m, err := v.OpenAt(ctx, op("/dev/ptmx"), unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != 0 {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	defer m.DecRef()
	u := make(mem, 256)
	if _, err := m.Ioctl(ctx, u, unix.TIOCGPTN, 0); err != 0 {
		t.Fatal(err)
	}
	name := "/dev/pts/" + strconv.Itoa(int(binary.LittleEndian.Uint32(u)))
	if _, err := v.OpenAt(ctx, op(name), unix.O_RDWR, 0); err != linux.EIO {
		t.Errorf("open of a locked replica: %v", err)
	}
	binary.LittleEndian.PutUint32(u, 0)
	if _, err := m.Ioctl(ctx, u, unix.TIOCSPTLCK, 0); err != 0 {
		t.Fatal(err)
	}
	s, err := v.OpenAt(ctx, op(name), unix.O_RDWR, 0)
	if err != 0 {
		t.Fatalf("open %s: %v", name, err)
	}
	if st, _ := s.Stat(ctx, 0); st.RdevMajor != 136 || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.GID != 5 {
		t.Errorf("replica stat: %d:%d mode %o gid %d", st.RdevMajor, st.RdevMinor, st.Mode, st.GID)
	}
	// Default settings.
	if _, err := s.Ioctl(ctx, u, unix.TCGETS, 0); err != 0 {
		t.Fatal(err)
	}
	var tio linux.Termios
	tio.UnmarshalBytes(u)
	if tio.Lflag&unix.ICANON == 0 || tio.Lflag&unix.ECHO == 0 || tio.Oflag&unix.ONLCR == 0 || tio.CC[unix.VINTR] != 3 || tio.CC[unix.VEOF] != 4 {
		t.Errorf("default termios %+v", tio)
	}
	// Window size set on the master, seen on the replica.
	binary.LittleEndian.PutUint16(u[100:], 24)
	binary.LittleEndian.PutUint16(u[102:], 80)
	m.Ioctl(ctx, u, unix.TIOCSWINSZ, 100)
	s.Ioctl(ctx, u, unix.TIOCGWINSZ, 200)
	if r, c := binary.LittleEndian.Uint16(u[200:]), binary.LittleEndian.Uint16(u[202:]); r != 24 || c != 80 {
		t.Errorf("winsize %dx%d", r, c)
	}
	binary.LittleEndian.PutUint32(u[120:], 42)
	if _, err := s.Ioctl(ctx, u, unix.TIOCSPGRP, 120); err != linux.ENOTTY {
		t.Errorf("TIOCSPGRP without a session: %v", err)
	}
	if _, err := s.Ioctl(ctx, u, 0x5499, 0); err != linux.ENOTTY {
		t.Errorf("unknown ioctl: %v", err)
	}
	// Canonical input with an erase, echoed with output processing.
	m.Write(ctx, []byte("ab\x7fc\r"))
	buf := make([]byte, 64)
	if n, _ := s.Read(ctx, buf); string(buf[:n]) != "ac\n" {
		t.Errorf("replica read %q", buf[:n])
	}
	if n, _ := m.Read(ctx, buf); string(buf[:n]) != "ab\b \bc\r\n" {
		t.Errorf("echo %q", buf[:n])
	}
	// ^D on an empty line is end of file.
	m.Write(ctx, []byte{4})
	if n, err := s.Read(ctx, buf); n != 0 || err != 0 {
		t.Errorf("EOF read: %d %v", n, err)
	}
	// Output processing.
	s.Write(ctx, []byte("x\n"))
	if n, _ := m.Read(ctx, buf); string(buf[:n]) != "x\r\n" {
		t.Errorf("ONLCR output %q", buf[:n])
	}
	// Raw mode round trip.
	tio.Lflag &^= unix.ICANON | unix.ECHO
	tio.Oflag &^= unix.OPOST
	tio.MarshalBytes(u)
	if _, err := s.Ioctl(ctx, u, unix.TCSETS, 0); err != 0 {
		t.Fatal(err)
	}
	s.Write(ctx, []byte("ping\n"))
	if n, _ := m.Read(ctx, buf); string(buf[:n]) != "ping\n" {
		t.Errorf("raw output %q", buf[:n])
	}
	m.Write(ctx, []byte("q"))
	if n, _ := s.Read(ctx, buf); string(buf[:n]) != "q" {
		t.Errorf("raw input %q", buf[:n])
	}
	s.SetStatusFlags(unix.O_NONBLOCK)
	if _, err := s.Read(ctx, buf); err != linux.EAGAIN {
		t.Errorf("empty non-blocking read: %v", err)
	}
	// The directory lists the pty; it goes away with the master.
	d, _ := v.OpenAt(ctx, op("/dev/pts"), unix.O_RDONLY|unix.O_DIRECTORY, 0)
	var names []string
	d.Getdents(ctx, func(e vfs.Dirent) bool { names = append(names, e.Name); return true })
	d.DecRef()
	if len(names) != 4 || names[2] != "ptmx" || "/dev/pts/"+names[3] != name {
		t.Errorf("/dev/pts lists %q", names)
	}
	s.DecRef()
	if n, err := m.Read(ctx, buf); err != linux.EIO {
		t.Errorf("master read after the replica closed: %d %v", n, err)
	}
}

func TestPtyHangup(t *testing.T) {
	v, op, k := setup(t)
	leader := sessCtx{ctx, v, 7, 7, true}
	m, _ := v.OpenAt(ctx, op("/dev/ptmx"), unix.O_RDWR, 0)
	u := make(mem, 8)
	m.Ioctl(ctx, u, unix.TIOCSPTLCK, 0)
	m.Ioctl(ctx, u, unix.TIOCGPTN, 0)
	name := "/dev/pts/" + strconv.Itoa(int(binary.LittleEndian.Uint32(u)))
	// The leader acquires the terminal by opening it without O_NOCTTY.
	s, err := v.OpenAt(leader, op(name), unix.O_RDWR, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer s.DecRef()
	m.DecRef()
	if want := [][2]int{{7, int(unix.SIGHUP)}, {7, int(unix.SIGCONT)}}; len(k.leader) != 2 || k.leader[0] != want[0] || k.leader[1] != want[1] {
		t.Errorf("session leader signals on hangup: %v, want %v", k.leader, want)
	}
	if v.ControllingTerminal(7) != nil {
		t.Errorf("session keeps a hung-up terminal")
	}
	if _, err := s.Ioctl(ctx, u, unix.TCGETS, 0); err != linux.EIO {
		t.Errorf("ioctl after hangup: %v", err)
	}
	buf := make([]byte, 8)
	if n, err := s.Read(ctx, buf); n != 0 || err != 0 {
		t.Errorf("replica read after hangup: %d %v", n, err)
	}
	if _, err := s.Write(ctx, []byte("x")); err != linux.EIO {
		t.Errorf("replica write after hangup: %v", err)
	}
	if _, err := v.StatAt(ctx, op(name), 0); err != linux.ENOENT {
		t.Errorf("node after the pty is gone: %v", err)
	}
}

func TestPtyReadiness(t *testing.T) {
	v, op, _ := setup(t)
	m, _ := v.OpenAt(ctx, op("/dev/ptmx"), unix.O_RDWR|unix.O_NOCTTY, 0)
	defer m.DecRef()
	u := make(mem, 8)
	m.Ioctl(ctx, u, unix.TIOCSPTLCK, 0)
	m.Ioctl(ctx, u, unix.TIOCGPTN, 0)
	s, err := v.OpenAt(ctx, op("/dev/pts/"+strconv.Itoa(int(binary.LittleEndian.Uint32(u)))), unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	all := vfs.EventReadable | vfs.EventWritable | vfs.EventHUp
	if r := s.Readiness(ctx, all); r != vfs.EventWritable {
		t.Errorf("idle replica: %#x", r)
	}
	notified := 0
	unreg := s.Waitable().EventRegister(vfs.NewWaiter(vfs.EventReadable, func(uint32) { notified++ }))
	m.Write(ctx, []byte("half"))
	if r := s.Readiness(ctx, vfs.EventReadable); r != 0 {
		t.Errorf("replica readable before a full line: %#x", r)
	}
	m.Write(ctx, []byte("\n"))
	if r := s.Readiness(ctx, vfs.EventReadable); r == 0 || notified == 0 {
		t.Errorf("replica not readable after a line (notified %d)", notified)
	}
	unreg()
	if r := m.Readiness(ctx, vfs.EventReadable); r == 0 {
		t.Errorf("master not readable with echo pending")
	}
	s.DecRef()
	if r := m.Readiness(ctx, vfs.EventHUp); r == 0 {
		t.Errorf("master not hung up after the replica closed")
	}
}

// TestPtyStream pumps data both ways at once through full queues.
func TestPtyStream(t *testing.T) {
	v, op, _ := setup(t)
	m, _ := v.OpenAt(ctx, op("/dev/ptmx"), unix.O_RDWR|unix.O_NOCTTY, 0)
	defer m.DecRef()
	u := make(mem, 64)
	m.Ioctl(ctx, u, unix.TIOCSPTLCK, 0)
	m.Ioctl(ctx, u, unix.TIOCGPTN, 0)
	s, err := v.OpenAt(ctx, op("/dev/pts/"+strconv.Itoa(int(binary.LittleEndian.Uint32(u)))), unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != 0 {
		t.Fatal(err)
	}
	defer s.DecRef()
	s.Ioctl(ctx, u, unix.TCGETS, 0)
	var tio linux.Termios
	tio.UnmarshalBytes(u)
	tio.Lflag &^= unix.ICANON | unix.ECHO | unix.ISIG | unix.IEXTEN
	tio.Iflag &^= unix.ICRNL | unix.IXON
	tio.Oflag &^= unix.OPOST
	tio.MarshalBytes(u)
	s.Ioctl(ctx, u, unix.TCSETS, 0)

	const size = 1 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	pump := func(w, r *vfs.FileDescription) error {
		done := make(chan error, 1)
		go func() {
			for off := 0; off < size; {
				n, err := w.Write(ctx, data[off:min(off+10000, size)])
				if err != 0 {
					done <- err
					return
				}
				off += n
			}
			done <- nil
		}()
		got := make([]byte, 0, size)
		buf := make([]byte, 7000)
		for len(got) < size {
			n, err := r.Read(ctx, buf)
			if err != 0 {
				return err
			}
			got = append(got, buf[:n]...)
		}
		if !bytes.Equal(got, data) {
			return errors.New("data differs")
		}
		return <-done
	}
	errs := make(chan error, 2)
	go func() { errs <- pump(m, s) }()
	go func() { errs <- pump(s, m) }()
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
