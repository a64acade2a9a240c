package service

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"sync"
	"syscall"

	"github.com/containerd/fifo"
)

// output is where a process's output goes: a FIFO containerd reads, or
// a file:// URL (appended to). It is opened at once but on a goroutine of
// its own: opening a FIFO for writing waits for containerd's reader
// (which containerd opens before it creates the task), so nothing is ever
// written before a reader exists, and no request waits for it. The shim
// then keeps a reader of its own, so that writes never fail when
// containerd's reader goes away (ctr run -d); they wait in the FIFO, as
// with containerd's runc shim. When the destination cannot be opened,
// output is discarded so that the process never blocks on a full pipe.
type output struct {
	ready chan struct{} // closed once the open ended; then w and keep are set
	w     io.WriteCloser
	keep  io.Closer
	err   error // of the last write
}

func newOutput(ctx context.Context, path string) *output {
	o := &output{ready: make(chan struct{})}
	go func() {
		defer close(o.ready)
		u, err := url.Parse(path)
		if err == nil && u.Scheme != "" {
			if u.Scheme == "file" {
				if f, err := os.OpenFile(u.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
					o.w = f
				}
			}
			return
		}
		w, err := fifo.OpenFifo(ctx, path, syscall.O_WRONLY, 0)
		if err != nil {
			return
		}
		o.w = w
		if r, err := fifo.OpenFifo(ctx, path, syscall.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			o.keep = r
		}
	}()
	return o
}

// Write implements io.Writer.Write.
func (o *output) Write(b []byte) (int, error) {
	<-o.ready
	if o.w != nil && o.err == nil {
		_, o.err = o.w.Write(b)
	}
	return len(b), nil
}

// Close implements io.Closer.Close: containerd's reader sees the end of
// the stream.
func (o *output) Close() error {
	<-o.ready
	if o.w != nil {
		o.w.Close()
	}
	if o.keep != nil {
		o.keep.Close()
	}
	return nil
}

// heldWriter keeps what it is given until release, then passes it on to
// its destination; without a release its text is runsc's error message.
type heldWriter struct {
	mu       sync.Mutex // guards the fields below
	held     bytes.Buffer
	released bool
	dst      io.WriteCloser
}

func (h *heldWriter) setDest(w io.WriteCloser) {
	h.mu.Lock()
	h.dst = w
	h.mu.Unlock()
}

// Write implements io.Writer.Write. Held bytes are flushed (outside the
// lock: a FIFO may block) before new ones once released.
func (h *heldWriter) Write(b []byte) (int, error) {
	h.mu.Lock()
	if !h.released {
		defer h.mu.Unlock()
		return h.held.Write(b)
	}
	pending := append([]byte(nil), h.held.Bytes()...)
	h.held.Reset()
	dst := h.dst
	h.mu.Unlock()
	if dst != nil {
		dst.Write(pending)
		dst.Write(b)
	}
	return len(b), nil
}

func (h *heldWriter) release() {
	h.mu.Lock()
	h.released = true
	h.mu.Unlock()
}

// finish flushes released bytes and closes the destination.
func (h *heldWriter) finish() {
	h.Write(nil)
	h.mu.Lock()
	dst := h.dst
	h.mu.Unlock()
	if dst != nil {
		dst.Close()
	}
}

func (h *heldWriter) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held.String()
}
