package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/errdefs"
	"google.golang.org/protobuf/proto"
)

func TestFailure(t *testing.T) {
	r := &runsc{id: "c1"}
	for _, tc := range []struct {
		stderr string
		msg    string
		class  error
	}{
		{"runsc: container does not exist: c1\n", "runsc kill c1: container does not exist: c1", errdefs.ErrNotFound},
		{"W1122 warning line\nrunsc: cannot start a container that is running\n", "runsc kill c1: cannot start a container that is running", errdefs.ErrFailedPrecondition},
		{"runsc: pause is not implemented yet\n", "runsc kill c1: pause is not implemented yet", errdefs.ErrNotImplemented},
		{"runsc: container with id exists: c1\n", "runsc kill c1: container with id exists: c1", errdefs.ErrAlreadyExists},
		{"", "runsc kill c1: exit status 2", nil},
	} {
		err := r.failure("kill", 2, tc.stderr)
		if !strings.HasSuffix(err.Error(), tc.msg) {
			t.Errorf("stderr %q: error %q, want it to end in %q", tc.stderr, err, tc.msg)
		}
		if tc.class != nil && !errors.Is(err, tc.class) {
			t.Errorf("stderr %q: error %v is not %v", tc.stderr, err, tc.class)
		}
	}
}

func TestStatsMetrics(t *testing.T) {
	line := `{"type":"stats","id":"c1","data":{"cpu":{"usage":{"total":300,"kernel":100,"user":200,"percpu":[150,150]},"throttling":{"periods":4,"throttledPeriods":1,"throttledTime":9}},` +
		`"memory":{"cache":7,"usage":{"limit":1048576,"usage":4096,"max":8192,"failcnt":2},"raw":{"rss":11,"total_inactive_file":5}},"pids":{"current":3,"limit":100}}}`
	var ev statsEvent
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatal(err)
	}
	m := ev.metrics()
	if m.CPU.Usage.Total != 300 || m.CPU.Usage.Kernel != 100 || m.CPU.Usage.User != 200 || len(m.CPU.Usage.PerCPU) != 2 ||
		m.CPU.Throttling.ThrottledPeriods != 1 {
		t.Errorf("cpu: %+v", m.CPU)
	}
	if m.Memory.Usage.Usage != 4096 || m.Memory.Usage.Limit != 1048576 || m.Memory.Usage.Failcnt != 2 || m.Memory.Cache != 7 ||
		m.Memory.RSS != 11 || m.Memory.TotalInactiveFile != 5 {
		t.Errorf("memory: %+v", m.Memory)
	}
	if m.Pids.Current != 3 || m.Pids.Limit != 100 {
		t.Errorf("pids: %+v", m.Pids)
	}
}

// bufCloser is a WriteCloser over a strings.Builder.
type bufCloser struct {
	strings.Builder
	closed bool
}

func (b *bufCloser) Close() error { b.closed = true; return nil }

func TestHeldWriter(t *testing.T) {
	// Failure: the text is runsc's message and never reaches the output.
	var out bufCloser
	h := &heldWriter{}
	h.setDest(&out)
	h.Write([]byte("runsc: boom\n"))
	h.finish()
	if h.text() != "runsc: boom\n" || out.String() != "" || !out.closed {
		t.Fatalf("failed: text %q, output %q, closed %v", h.text(), out.String(), out.closed)
	}
	// Success: held bytes go out first, then the rest.
	out = bufCloser{}
	h = &heldWriter{}
	h.setDest(&out)
	h.Write([]byte("early "))
	h.release()
	h.Write([]byte("late"))
	h.finish()
	if out.String() != "early late" {
		t.Fatalf("released: output %q", out.String())
	}
}

func TestExitWatcher(t *testing.T) {
	w := &exitWatcher{waiting: map[int]func(int){}, early: map[int]earlyExit{}}
	got := make(chan int, 2)
	// An exit before the watch is kept and delivered at watch time.
	w.early[10] = earlyExit{status: 3, at: time.Now()}
	w.watch(10, func(s int) { got <- s })
	// A forgotten exit (a runsc command's PID) is not.
	w.early[11] = earlyExit{status: 4, at: time.Now()}
	w.forget(11)
	w.watch(11, func(s int) { got <- 100 + s })
	select {
	case s := <-got:
		if s != 3 {
			t.Fatalf("early exit: got %d, want 3", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("early exit not delivered")
	}
	// PID 11's forgotten exit was not delivered: it waits for a real one.
	if _, ok := w.waiting[11]; !ok {
		t.Fatal("PID 11 is not watched")
	}
}

func TestWriteInfo(t *testing.T) {
	var b bytes.Buffer
	if err := WriteInfo(&b, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	var info types.RuntimeInfo
	if err := proto.Unmarshal(b.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != RuntimeName || info.Version.GetVersion() != "1.2.3" {
		t.Fatalf("info: %v", &info)
	}
}
