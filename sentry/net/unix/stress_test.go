package unix

import (
	"bytes"
	"sync"
	"testing"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/net"
	"moat/sentry/vfs"
)

// TestStreamStress moves data both ways through a small buffer with
// several writers and one reader per direction, and checks that every
// byte arrives once (run with -race).
func TestStreamStress(t *testing.T) {
	ctx := newCtx()
	fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), sysunix.SOCK_STREAM, 0, false)
	a, b := sock(fa), sock(fb)
	for _, s := range []*Socket{a, b} {
		s.SetSockOpt(ctx, sysunix.SOL_SOCKET, sysunix.SO_SNDBUF, net.EncodeInt(4096))
	}
	const writers, chunks, size = 4, 50, 1000
	var wg sync.WaitGroup
	for _, pair := range [][2]*Socket{{a, b}, {b, a}} {
		from, to := pair[0], pair[1]
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				msg := bytes.Repeat([]byte{byte('a' + w)}, size)
				for i := 0; i < chunks; i++ {
					if n, err := from.SendMsg(ctx, msg, SendOptions{}); n != size || err != 0 {
						t.Errorf("send = %d, %v", n, err)
						return
					}
				}
			}(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts := map[byte]int{}
			buf := make([]byte, 777)
			for total := 0; total < writers*chunks*size; {
				r, err := to.RecvMsg(ctx, buf, RecvOptions{})
				if err != 0 || r.N == 0 {
					t.Errorf("recv = %d, %v", r.N, err)
					return
				}
				for _, c := range buf[:r.N] {
					counts[c]++
				}
				total += r.N
			}
			for w := 0; w < writers; w++ {
				if counts[byte('a'+w)] != chunks*size {
					t.Errorf("writer %d: %d bytes arrived", w, counts[byte('a'+w)])
				}
			}
		}()
	}
	wg.Wait()
	fa.DecRef()
	fb.DecRef()
}

// TestCloseWakesBlocked checks that closing one end wakes a reader and a
// writer blocked on the other.
func TestCloseWakesBlocked(t *testing.T) {
	ctx := newCtx()
	for _, typ := range []int32{sysunix.SOCK_STREAM, sysunix.SOCK_SEQPACKET} {
		fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), typ, 0, false)
		a := sock(fa)
		done := make(chan struct{})
		go func() {
			a.RecvMsg(ctx, make([]byte, 8), RecvOptions{})
			close(done)
		}()
		fb.DecRef()
		<-done
		fa.DecRef()
	}
}

// TestConcurrentConnects races connects against accept and close of the
// listener.
func TestConcurrentConnects(t *testing.T) {
	ctx := newCtx()
	ns := NamespaceOf(vfs.New())
	fl, _ := New(ctx, ns, sysunix.SOCK_STREAM, 0, false)
	l := sock(fl)
	name := Address{Abstract: "race", IsAbstract: true}
	l.Bind(ctx, nil, name)
	l.Listen(ctx, 8)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var clients []*vfs.FileDescription
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fc, _ := New(ctx, ns, sysunix.SOCK_STREAM, 0, true)
			sock(fc).Connect(ctx, nil, name, true)
			mu.Lock()
			clients = append(clients, fc)
			mu.Unlock()
		}()
	}
	for i := 0; i < 4; i++ {
		if s, err := l.Accept(ctx, true); err == 0 {
			NewFile(s, false).DecRef()
		}
	}
	fl.DecRef()
	wg.Wait()
	for _, fc := range clients {
		fc.DecRef()
	}
}
