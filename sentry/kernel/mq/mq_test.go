package mq

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// fakeCtx never blocks: a wait ends at once as timed out, or as
// interrupted when signal is set.
type fakeCtx struct {
	c      *auth.Credentials
	signal bool
}

func (f *fakeCtx) Credentials() *auth.Credentials { return f.c }

func (f *fakeCtx) BlockUntil(ch <-chan struct{}, _ time.Time) (bool, bool) {
	select {
	case <-ch:
		return false, false
	default:
	}
	return f.signal, !f.signal
}

func user(uid int) *auth.Credentials {
	c := auth.NewRoot()
	c.RealKUID, c.EffectiveKUID, c.FSUID = auth.KUID(uid), auth.KUID(uid), auth.KUID(uid)
	c.FSGID = auth.KGID(uid)
	c.EffectiveCaps = 0
	return c
}

func open(t *testing.T, r *Registry, c *auth.Credentials, name string, a *Attr) *Queue {
	t.Helper()
	q, errno := r.Open(c, OpenOptions{Name: name, Flags: unix.O_RDWR | unix.O_CREAT, Mode: 0o600, Attr: a, Rlimit: 819200})
	if errno != 0 {
		t.Fatalf("open %q: %v", name, errno)
	}
	return q
}

func TestPriorityOrder(t *testing.T) {
	r := NewRegistry(NewUsers())
	q := open(t, r, auth.NewRoot(), "q", &Attr{MaxMsg: 8, MsgSize: 8})
	ctx := &fakeCtx{c: auth.NewRoot()}
	for _, m := range []Message{{1, []byte("a")}, {5, []byte("b")}, {1, []byte("c")}, {0, []byte("d")}, {5, []byte("e")}} {
		if errno := q.Send(ctx, m, true, time.Time{}, nil); errno != 0 {
			t.Fatal(errno)
		}
	}
	var got []string
	for range 5 {
		m, errno := q.Receive(ctx, true, time.Time{})
		if errno != 0 {
			t.Fatal(errno)
		}
		got = append(got, string(m.Text))
	}
	if s := strings.Join(got, ""); s != "beacd" {
		t.Errorf("order %q, want beacd", s)
	}
	if _, errno := q.Receive(ctx, true, time.Time{}); errno != linux.EAGAIN {
		t.Errorf("empty nonblocking receive: %v, want EAGAIN", errno)
	}
	if _, errno := q.Receive(ctx, false, time.Now()); errno != linux.ETIMEDOUT {
		t.Errorf("empty timed receive: %v, want ETIMEDOUT", errno)
	}
	if _, errno := q.Receive(&fakeCtx{c: auth.NewRoot(), signal: true}, false, time.Time{}); errno != linux.ERESTARTSYS {
		t.Errorf("interrupted receive: %v, want ERESTARTSYS", errno)
	}
}

func TestOpenErrors(t *testing.T) {
	r := NewRegistry(NewUsers())
	root, other := auth.NewRoot(), user(1000)
	open(t, r, root, "q", nil)
	for _, tc := range []struct {
		name  string
		c     *auth.Credentials
		o     OpenOptions
		errno linux.Errno
	}{
		{"exclusive", root, OpenOptions{Name: "q", Flags: unix.O_CREAT | unix.O_EXCL}, linux.EEXIST},
		{"missing", root, OpenOptions{Name: "nope"}, linux.ENOENT},
		{"slash", root, OpenOptions{Name: "a/b", Flags: unix.O_CREAT}, linux.EACCES},
		{"dotdot", root, OpenOptions{Name: "..", Flags: unix.O_CREAT}, linux.EACCES},
		{"long", root, OpenOptions{Name: strings.Repeat("x", 256), Flags: unix.O_CREAT}, linux.ENAMETOOLONG},
		{"accmode 3", root, OpenOptions{Name: "q", Flags: unix.O_ACCMODE}, linux.EINVAL},
		{"mode 0600 other", other, OpenOptions{Name: "q", Flags: unix.O_RDONLY}, linux.EACCES},
		{"maxmsg 0", root, OpenOptions{Name: "n", Flags: unix.O_CREAT, Attr: &Attr{MaxMsg: 0, MsgSize: 1}, Rlimit: 1 << 30}, linux.EINVAL},
		{"past msg_max", other, OpenOptions{Name: "n", Flags: unix.O_CREAT, Attr: &Attr{MaxMsg: 11, MsgSize: 1}, Rlimit: 1 << 30}, linux.EINVAL},
		{"past hard max", root, OpenOptions{Name: "n", Flags: unix.O_CREAT, Attr: &Attr{MaxMsg: hardMsgMax + 1, MsgSize: 1}, Rlimit: 1 << 30}, linux.EINVAL},
		{"rlimit", root, OpenOptions{Name: "n", Flags: unix.O_CREAT, Rlimit: 1000}, linux.EMFILE},
	} {
		if _, errno := r.Open(tc.c, tc.o); errno != tc.errno {
			t.Errorf("%s: %v, want %v", tc.name, errno, tc.errno)
		}
	}
	if errno := r.MayUnlink(other, "q"); errno != linux.EACCES {
		t.Errorf("unlink by another user: %v, want EACCES", errno)
	}
}

func TestAccounting(t *testing.T) {
	users := NewUsers()
	r := NewRegistry(users)
	c := user(7)
	a := &Attr{MaxMsg: 10, MsgSize: 8192}
	cost := charge(a)
	if cost != 10*8192+10*sizeofMsg+10*sizeofNode {
		t.Fatalf("charge %d", cost)
	}
	q, errno := r.Open(c, OpenOptions{Name: "a", Flags: unix.O_CREAT, Attr: a, Rlimit: cost})
	if errno != 0 {
		t.Fatal(errno)
	}
	if _, errno := r.Open(c, OpenOptions{Name: "b", Flags: unix.O_CREAT, Attr: a, Rlimit: cost}); errno != linux.EMFILE {
		t.Fatalf("second queue: %v, want EMFILE", errno)
	}
	// Unlinked and closed, the charge goes back.
	if errno := r.Remove("a", q); errno != 0 {
		t.Fatal(errno)
	}
	q.DecRef()
	if _, errno := r.Open(c, OpenOptions{Name: "b", Flags: unix.O_CREAT, Attr: a, Rlimit: cost}); errno != 0 {
		t.Fatalf("after release: %v", errno)
	}
	r.SetSysctl("queues_max", "1")
	if _, errno := r.Open(user(8), OpenOptions{Name: "c", Flags: unix.O_CREAT, Rlimit: 1 << 30}); errno != linux.ENOSPC {
		t.Errorf("past queues_max: %v, want ENOSPC", errno)
	}
}

func TestSysctls(t *testing.T) {
	r := NewRegistry(NewUsers())
	for _, tc := range []struct {
		name, value string
		errno       linux.Errno
	}{
		{"msg_max", "0", linux.EINVAL},
		{"msg_max", "65537", linux.EINVAL},
		{"msg_max", "65536", 0},
		{"msgsize_max", "127", linux.EINVAL},
		{"msgsize_max", "128", 0},
		{"msg_default", "x", linux.EINVAL},
		{"queues_max", "-1", 0},
		{"nope", "1", linux.ENOENT},
	} {
		if errno := r.SetSysctl(tc.name, tc.value); errno != tc.errno {
			t.Errorf("%s=%s: %v, want %v", tc.name, tc.value, errno, tc.errno)
		}
	}
	if s, _ := r.Sysctl("msg_max"); s != "65536\n" {
		t.Errorf("msg_max reads %q", s)
	}
}

func TestNotification(t *testing.T) {
	r := NewRegistry(NewUsers())
	q := open(t, r, auth.NewRoot(), "q", &Attr{MaxMsg: 4, MsgSize: 4})
	ctx := &fakeCtx{c: auth.NewRoot()}
	fired := 0
	n := func(owner string) *Notification {
		return &Notification{Owner: owner, Notify: SigevSignal, Signo: 10, Alive: func() bool { return true }, Fire: func(any) { fired++ }}
	}
	if errno := q.SetNotification("p1", n("p1")); errno != 0 {
		t.Fatal(errno)
	}
	if errno := q.SetNotification("p2", n("p2")); errno != linux.EBUSY {
		t.Errorf("second registration: %v, want EBUSY", errno)
	}
	q.SetNotification("p2", nil) // not p2's: stays
	q.Send(ctx, Message{Text: []byte("x")}, true, time.Time{}, nil)
	q.Send(ctx, Message{Text: []byte("y")}, true, time.Time{}, nil)
	if fired != 1 {
		t.Errorf("fired %d times, want 1 (one-shot)", fired)
	}
	if st := q.Status(func(any) int32 { return 0 }); !strings.HasPrefix(st, "QSIZE:2 ") {
		t.Errorf("status %q", st)
	}
}
