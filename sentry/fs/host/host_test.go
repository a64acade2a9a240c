package host_test

import (
	"encoding/binary"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/host"
	"moat/sentry/vfs"
)

type testCtx struct{ creds *auth.Credentials }

func (c testCtx) Credentials() *auth.Credentials { return c.creds }

var ctx = testCtx{auth.NewRoot()}

// fakeMem is application memory for ioctl tests: addresses index a slice.
type fakeMem []byte

func (m fakeMem) CopyIn(addr uintptr, dst []byte) linux.Errno {
	if int(addr)+len(dst) > len(m) {
		return linux.EFAULT
	}
	copy(dst, m[addr:])
	return 0
}

func (m fakeMem) CopyOut(addr uintptr, src []byte) linux.Errno {
	if int(addr)+len(src) > len(m) {
		return linux.EFAULT
	}
	copy(m[addr:], src)
	return 0
}

func TestPipe(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, err := host.NewFile(p[0], host.Options{DevMinor: 9})
	if err != 0 {
		t.Fatal(err)
	}
	w, err := host.NewFile(p[1], host.Options{})
	if err != 0 {
		t.Fatal(err)
	}
	if !r.IsStream() || r.IsWritable() || !w.IsWritable() {
		t.Errorf("pipe flags: stream %v", r.IsStream())
	}
	if n, err := w.Write(ctx, []byte("hello")); n != 5 || err != 0 {
		t.Fatalf("write: %d %v", n, err)
	}
	buf := make([]byte, 16)
	if n, err := r.Read(ctx, buf); string(buf[:n]) != "hello" || err != 0 {
		t.Errorf("read %q %v", buf[:n], err)
	}
	if _, err := r.Seek(ctx, 0, unix.SEEK_SET); err != linux.ESPIPE {
		t.Errorf("lseek on pipe: %v", err)
	}
	if _, err := r.PRead(ctx, buf, 0); err != linux.ESPIPE {
		t.Errorf("pread on pipe: %v", err)
	}
	st, err := r.Stat(ctx, linux.STATX_BASIC_STATS)
	if err != 0 || st.Mode&unix.S_IFMT != unix.S_IFIFO || st.DevMinor != 9 || st.DevMajor != 0 {
		t.Errorf("stat: mode %o dev %d:%d %v", st.Mode, st.DevMajor, st.DevMinor, err)
	}
	mem := make(fakeMem, 64)
	if _, err := r.Ioctl(ctx, mem, unix.TCGETS, 0); err != linux.ENOTTY {
		t.Errorf("TCGETS on a pipe: %v", err)
	}
	w.DecRef()
	if n, err := r.Read(ctx, buf); n != 0 || err != 0 {
		t.Errorf("read at EOF: %d %v", n, err)
	}
	r.DecRef()
	if _, err := unix.FcntlInt(uintptr(p[0]), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("owned host fd not closed on release")
	}
}

func TestRegularFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "host")
	if err != nil {
		t.Fatal(err)
	}
	hfd, _ := unix.Dup(int(f.Fd()))
	f.Close()
	fd, errno := host.NewFile(hfd, host.Options{})
	if errno != 0 {
		t.Fatal(errno)
	}
	defer fd.DecRef()
	if fd.IsStream() {
		t.Fatal("regular host file is a stream")
	}
	fd.Write(ctx, []byte("abcdef"))
	if off, _ := fd.Seek(ctx, 0, unix.SEEK_CUR); off != 6 {
		t.Errorf("offset after write %d", off)
	}
	// The offset is the host file description's, shared with the host.
	if off, _ := unix.Seek(hfd, 0, unix.SEEK_CUR); off != 6 {
		t.Errorf("host offset after write %d", off)
	}
	unix.Seek(hfd, 1, unix.SEEK_SET)
	b1 := make([]byte, 2)
	if n, _ := fd.Read(ctx, b1); string(b1[:n]) != "bc" {
		t.Errorf("read at the host's offset: %q", b1[:n])
	}
	unix.Seek(hfd, 6, unix.SEEK_SET)
	buf := make([]byte, 3)
	if n, _ := fd.PRead(ctx, buf, 2); string(buf[:n]) != "cde" {
		t.Errorf("pread %q", buf[:n])
	}
	if end, _ := fd.Seek(ctx, -1, unix.SEEK_END); end != 5 {
		t.Errorf("SEEK_END %d", end)
	}
	if _, ok := fd.HostFD(); !ok {
		t.Errorf("regular host file has no HostFD")
	}
	if err := fd.Truncate(ctx, 2); err != 0 {
		t.Errorf("ftruncate: %v", err)
	}
	if st, _ := fd.Stat(ctx, 0); st.Size != 2 {
		t.Errorf("size %d", st.Size)
	}
}

func TestTerminal(t *testing.T) {
	ptmx, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer unix.Close(ptmx)
	if err := unix.IoctlSetPointerInt(ptmx, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(ptmx, unix.TIOCGPTN)
	if err != nil {
		t.Skip(err)
	}
	pts, err := unix.Open("/dev/pts/"+itoa(n), unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skip(err)
	}
	fd, errno := host.NewFile(pts, host.Options{})
	if errno != 0 {
		t.Fatal(errno)
	}
	defer fd.DecRef()
	mem := make(fakeMem, 64)
	if _, err := fd.Ioctl(ctx, mem, unix.TCGETS, 0); err != 0 {
		t.Fatalf("TCGETS: %v", err)
	}
	// Clear ECHO through TCSETS and read it back from the host.
	lflag := binary.LittleEndian.Uint32(mem[12:])
	binary.LittleEndian.PutUint32(mem[12:], lflag&^unix.ECHO)
	if _, err := fd.Ioctl(ctx, mem, unix.TCSETS, 0); err != 0 {
		t.Fatalf("TCSETS: %v", err)
	}
	tio, _ := unix.IoctlGetTermios(pts, unix.TCGETS)
	if tio.Lflag&unix.ECHO != 0 {
		t.Errorf("TCSETS did not reach the host")
	}
	binary.LittleEndian.PutUint16(mem[40:], 33)
	binary.LittleEndian.PutUint16(mem[42:], 120)
	if _, err := fd.Ioctl(ctx, mem, unix.TIOCSWINSZ, 40); err != 0 {
		t.Fatalf("TIOCSWINSZ: %v", err)
	}
	clear(mem[48:56])
	if _, err := fd.Ioctl(ctx, mem, unix.TIOCGWINSZ, 48); err != 0 {
		t.Fatal(err)
	}
	if r, c := binary.LittleEndian.Uint16(mem[48:]), binary.LittleEndian.Uint16(mem[50:]); r != 33 || c != 120 {
		t.Errorf("winsize %dx%d", r, c)
	}
	if _, err := fd.Ioctl(ctx, mem, unix.TIOCGWINSZ, 60); err != linux.EFAULT {
		t.Errorf("TIOCGWINSZ to a bad address: %v", err)
	}
	if _, err := fd.Ioctl(ctx, mem, unix.TIOCSTI, 0); err != linux.ENOTTY {
		t.Errorf("TIOCSTI must not be forwarded: %v", err)
	}
	if _, err := fd.Ioctl(ctx, mem, unix.TIOCGPGRP, 0); err != linux.ENOTTY {
		t.Errorf("TIOCGPGRP without a process group: %v", err)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

var _ vfs.UserMemory = fakeMem(nil)

// intrCtx is interrupted when its channel is closed.
type intrCtx struct {
	testCtx
	intr chan struct{}
}

func (c intrCtx) Interrupted() bool {
	select {
	case <-c.intr:
		return true
	default:
		return false
	}
}

func (c intrCtx) Block(ch <-chan struct{}) linux.Errno { return 0 }

func TestPipeBlockingAndNonblocking(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, _ := host.NewFile(p[0], host.Options{})
	defer r.DecRef()
	w, _ := host.NewFile(p[1], host.Options{})
	defer w.DecRef()
	buf := make([]byte, 8)
	r.SetStatusFlags(unix.O_NONBLOCK)
	if _, err := r.Read(ctx, buf); err != linux.EAGAIN {
		t.Errorf("O_NONBLOCK read of an empty pipe: %v", err)
	}
	if fl, _ := unix.FcntlInt(uintptr(p[0]), unix.F_GETFL, 0); fl&unix.O_NONBLOCK != 0 {
		t.Errorf("host fd flags changed")
	}
	r.SetStatusFlags(0)
	ic := intrCtx{ctx, make(chan struct{})}
	done := make(chan linux.Errno)
	go func() {
		_, err := r.Read(ic, buf)
		done <- err
	}()
	close(ic.intr)
	select {
	case err := <-done:
		if err != linux.ERESTARTSYS {
			t.Errorf("interrupted read: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked host read was not interrupted")
	}
	go func() {
		_, err := r.Read(intrCtx{ctx, make(chan struct{})}, buf)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	w.Write(ctx, []byte("x"))
	if err := <-done; err != 0 {
		t.Errorf("read after data arrived: %v", err)
	}
}

// sigRecorder records SignalSelf calls.
type sigRecorder struct {
	testCtx
	sigs *[]int
}

func (s sigRecorder) SignalSelf(sig int) { *s.sigs = append(*s.sigs, sig) }

func TestBrokenPipeSignal(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	unix.Close(p[0])
	w, _ := host.NewFile(p[1], host.Options{})
	defer w.DecRef()
	var sigs []int
	if _, err := w.Write(sigRecorder{ctx, &sigs}, []byte("x")); err != linux.EPIPE {
		t.Errorf("write to a broken pipe: %v", err)
	}
	if len(sigs) != 1 || sigs[0] != int(unix.SIGPIPE) {
		t.Errorf("signals %v", sigs)
	}
}
