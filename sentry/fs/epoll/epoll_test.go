package epoll_test

import (
	"encoding/binary"
	"testing"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/epoll"
	"moat/sentry/fs/eventfd"
	"moat/sentry/vfs"
)

type testCtx struct{}

func (testCtx) Credentials() *auth.Credentials { return auth.NewRoot() }

var ctx testCtx

// collect returns the events ep reports now (up to 8).
func collect(t *testing.T, ep *epoll.EventPoll) []epoll.Event {
	t.Helper()
	var got []epoll.Event
	_, err := ep.Collect(ctx, 8, func(evs []epoll.Event) linux.Errno {
		got = append(got, evs...)
		return 0
	})
	if err != 0 {
		t.Fatal(err)
	}
	return got
}

func signal(t *testing.T, fd *vfs.FileDescription, v uint64) {
	t.Helper()
	if _, err := fd.Impl().Write(ctx, fd, binary.LittleEndian.AppendUint64(nil, v), -1); err != 0 {
		t.Fatal(err)
	}
}

func drain(t *testing.T, fd *vfs.FileDescription) {
	t.Helper()
	if _, err := fd.Impl().Read(ctx, fd, make([]byte, 8), -1); err != 0 {
		t.Fatal(err)
	}
}

func TestTriggering(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags uint32
		want  []int // events reported by three collects, with a write before the third
	}{
		{"level", 0, []int{1, 1, 1}},
		{"edge", epoll.EPOLLET, []int{1, 0, 1}},
		{"oneshot", epoll.EPOLLONESHOT, []int{1, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			epfd := epoll.New()
			defer epfd.DecRef()
			ep := epoll.FromFile(epfd)
			e := eventfd.New(0, eventfd.NonBlock)
			defer e.DecRef()
			if err := ep.Ctl(epoll.CtlAdd, e, 5, epoll.Event{Events: vfs.EventIn | tc.flags, Data: 42}); err != 0 {
				t.Fatal(err)
			}
			if got := collect(t, ep); len(got) != 0 {
				t.Fatalf("nothing written, got %v", got)
			}
			signal(t, e, 1)
			for i, want := range tc.want {
				if i == 2 {
					signal(t, e, 1)
				}
				got := collect(t, ep)
				if len(got) != want {
					t.Fatalf("collect %d: %v, want %d events", i, got, want)
				}
				if want == 1 && (got[0].Data != 42 || got[0].Events != vfs.EventIn) {
					t.Fatalf("collect %d: %+v", i, got[0])
				}
			}
		})
	}
}

func TestLevelTriggeredStopsWhenDrained(t *testing.T) {
	epfd := epoll.New()
	defer epfd.DecRef()
	ep := epoll.FromFile(epfd)
	e := eventfd.New(1, eventfd.NonBlock)
	defer e.DecRef()
	ep.Ctl(epoll.CtlAdd, e, 3, epoll.Event{Events: vfs.EventIn})
	if len(collect(t, ep)) != 1 {
		t.Fatal("ready eventfd not reported at ADD")
	}
	drain(t, e)
	if got := collect(t, ep); len(got) != 0 {
		t.Fatalf("drained eventfd reported: %v", got)
	}
}

func TestCtlErrors(t *testing.T) {
	epfd := epoll.New()
	defer epfd.DecRef()
	ep := epoll.FromFile(epfd)
	e := eventfd.New(0, 0)
	defer e.DecRef()
	plain := vfs.NewFileDescription(&vfs.FileDefaults{}, vfs.VirtualDentry{}, 0)
	defer plain.DecRef()
	ev := epoll.Event{Events: vfs.EventIn}
	for _, tc := range []struct {
		name string
		op   int32
		file *vfs.FileDescription
		ev   epoll.Event
		want linux.Errno
	}{
		{"MOD unregistered", epoll.CtlMod, e, ev, linux.ENOENT},
		{"DEL unregistered", epoll.CtlDel, e, ev, linux.ENOENT},
		{"ADD", epoll.CtlAdd, e, ev, 0},
		{"ADD twice", epoll.CtlAdd, e, ev, linux.EEXIST},
		{"ADD itself", epoll.CtlAdd, epfd, ev, linux.EINVAL},
		{"ADD a file that is always ready", epoll.CtlAdd, plain, ev, linux.EPERM},
		{"bad op", 99, e, ev, linux.EINVAL},
		{"MOD with EPOLLEXCLUSIVE", epoll.CtlMod, e, epoll.Event{Events: vfs.EventIn | epoll.EPOLLEXCLUSIVE}, linux.EINVAL},
		{"DEL", epoll.CtlDel, e, ev, 0},
		{"EPOLLEXCLUSIVE with EPOLLONESHOT", epoll.CtlAdd, e, epoll.Event{Events: vfs.EventIn | epoll.EPOLLEXCLUSIVE | epoll.EPOLLONESHOT}, linux.EINVAL},
		{"ADD EPOLLEXCLUSIVE", epoll.CtlAdd, e, epoll.Event{Events: vfs.EventIn | epoll.EPOLLEXCLUSIVE}, 0},
		{"MOD an EPOLLEXCLUSIVE item", epoll.CtlMod, e, ev, linux.EINVAL},
	} {
		if got := ep.Ctl(tc.op, tc.file, 7, tc.ev); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNestingAndLoops(t *testing.T) {
	outer, inner := epoll.New(), epoll.New()
	defer outer.DecRef()
	defer inner.DecRef()
	o, i := epoll.FromFile(outer), epoll.FromFile(inner)
	e := eventfd.New(0, eventfd.NonBlock)
	defer e.DecRef()
	if err := i.Ctl(epoll.CtlAdd, e, 3, epoll.Event{Events: vfs.EventIn}); err != 0 {
		t.Fatal(err)
	}
	if err := o.Ctl(epoll.CtlAdd, inner, 4, epoll.Event{Events: vfs.EventIn, Data: 9}); err != 0 {
		t.Fatal(err)
	}
	if err := i.Ctl(epoll.CtlAdd, outer, 5, epoll.Event{Events: vfs.EventIn}); err != linux.ELOOP {
		t.Fatalf("loop: %v, want ELOOP", err)
	}
	if inner.Readiness(ctx, vfs.EventIn) != 0 || len(collect(t, o)) != 0 {
		t.Fatal("nested instance ready with nothing written")
	}
	signal(t, e, 1)
	if inner.Readiness(ctx, vfs.EventIn) == 0 {
		t.Fatal("inner instance not readable")
	}
	got := collect(t, o)
	if len(got) != 1 || got[0].Data != 9 {
		t.Fatalf("outer reported %v", got)
	}
}

func TestTooDeep(t *testing.T) {
	var fds []*vfs.FileDescription
	for i := 0; i < 7; i++ {
		fds = append(fds, epoll.New())
		defer fds[i].DecRef()
	}
	var err linux.Errno
	depth := 0
	for depth = 1; depth < len(fds); depth++ {
		// fds[depth] holds fds[depth-1]: a chain of depth+1 instances.
		err = epoll.FromFile(fds[depth]).Ctl(epoll.CtlAdd, fds[depth-1], 3, epoll.Event{Events: vfs.EventIn})
		if err != 0 {
			break
		}
	}
	if err != linux.ELOOP || depth != 5 {
		t.Fatalf("chain stopped at %d with %v, want ELOOP at 5", depth, err)
	}
}

func TestReleasedFileIsDropped(t *testing.T) {
	epfd := epoll.New()
	defer epfd.DecRef()
	ep := epoll.FromFile(epfd)
	e := eventfd.New(1, 0)
	ep.Ctl(epoll.CtlAdd, e, 3, epoll.Event{Events: vfs.EventIn})
	e.DecRef() // the last fd is closed
	if got := collect(t, ep); len(got) != 0 {
		t.Fatalf("released file reported: %v", got)
	}
}

func TestFailedDeliveryConsumesNothing(t *testing.T) {
	epfd := epoll.New()
	defer epfd.DecRef()
	ep := epoll.FromFile(epfd)
	e := eventfd.New(1, 0)
	defer e.DecRef()
	ep.Ctl(epoll.CtlAdd, e, 3, epoll.Event{Events: vfs.EventIn | epoll.EPOLLONESHOT})
	n, err := ep.Collect(ctx, 8, func([]epoll.Event) linux.Errno { return linux.EFAULT })
	if n != 0 || err != linux.EFAULT {
		t.Fatalf("Collect = %d, %v", n, err)
	}
	if got := collect(t, ep); len(got) != 1 {
		t.Fatalf("one-shot item lost by a failed delivery: %v", got)
	}
}

func TestMaxEvents(t *testing.T) {
	epfd := epoll.New()
	defer epfd.DecRef()
	ep := epoll.FromFile(epfd)
	for i := 0; i < 3; i++ {
		e := eventfd.New(1, 0)
		defer e.DecRef()
		ep.Ctl(epoll.CtlAdd, e, int32(i), epoll.Event{Events: vfs.EventIn | epoll.EPOLLET})
	}
	var first []epoll.Event
	ep.Collect(ctx, 2, func(evs []epoll.Event) linux.Errno { first = evs; return 0 })
	rest := collect(t, ep)
	if len(first) != 2 || len(rest) != 1 {
		t.Fatalf("got %d then %d events, want 2 then 1", len(first), len(rest))
	}
}

// TestConcurrent runs writers, a collector and interest changes at once
// (for the race detector and the lock order); every write is seen.
func TestConcurrent(t *testing.T) {
	epfd := epoll.New()
	defer epfd.DecRef()
	ep := epoll.FromFile(epfd)
	const n = 4
	var efds []*vfs.FileDescription
	for i := 0; i < n; i++ {
		e := eventfd.New(0, eventfd.NonBlock)
		defer e.DecRef()
		efds = append(efds, e)
		ep.Ctl(epoll.CtlAdd, e, int32(i), epoll.Event{Events: vfs.EventIn | epoll.EPOLLET, Data: uint64(i)})
	}
	other := eventfd.New(0, eventfd.NonBlock)
	defer other.DecRef()
	done := make(chan struct{})
	go func() {
		// Interest changes on a file of its own.
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			ep.Ctl(epoll.CtlAdd, other, 99, epoll.Event{Events: vfs.EventIn})
			ep.Ctl(epoll.CtlMod, other, 99, epoll.Event{Events: vfs.EventOut})
			ep.Ctl(epoll.CtlDel, other, 99, epoll.Event{})
		}
	}()
	const writes = 200
	for i := 0; i < n; i++ {
		go func(e *vfs.FileDescription) {
			one := binary.LittleEndian.AppendUint64(nil, 1)
			for j := 0; j < writes; j++ {
				if _, err := e.Impl().Write(ctx, e, one, -1); err != 0 {
					panic(err)
				}
			}
		}(efds[i])
	}
	w, ch := vfs.NewChannelWaiter(vfs.EventIn)
	defer epfd.Waitable().EventRegister(w)()
	var total uint64
	for total < n*writes {
		got := collect(t, ep)
		for _, ev := range got {
			if ev.Data == 99 {
				continue
			}
			b := make([]byte, 8)
			if _, err := efds[ev.Data].Impl().Read(ctx, efds[ev.Data], b, -1); err == 0 {
				total += binary.LittleEndian.Uint64(b)
			}
		}
		if len(got) == 0 {
			<-ch
		}
	}
	close(done)
}
