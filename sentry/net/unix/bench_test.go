package unix

import (
	"testing"

	sysunix "golang.org/x/sys/unix"

	"moat/sentry/vfs"
)

// BenchmarkStreamSendRecv measures one send and one receive of 64 bytes
// on a stream pair, in one goroutine: the sentry's own cost per message.
func BenchmarkStreamSendRecv(b *testing.B) {
	benchSendRecv(b, sysunix.SOCK_STREAM, 64)
}

// BenchmarkDgramSendRecv is BenchmarkStreamSendRecv for datagrams.
func BenchmarkDgramSendRecv(b *testing.B) {
	benchSendRecv(b, sysunix.SOCK_DGRAM, 64)
}

// BenchmarkStream64K moves 64 KiB per send.
func BenchmarkStream64K(b *testing.B) {
	benchSendRecv(b, sysunix.SOCK_STREAM, 64<<10)
}

func benchSendRecv(b *testing.B, typ int32, size int) {
	ctx := newCtx()
	fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), typ, 0, false)
	defer fa.DecRef()
	defer fb.DecRef()
	x, y := sock(fa), sock(fb)
	msg, buf := make([]byte, size), make([]byte, size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := x.SendMsg(ctx, msg, SendOptions{}); err != 0 {
			b.Fatal(err)
		}
		if _, err := y.RecvMsg(ctx, buf, RecvOptions{}); err != 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkPingPong bounces one byte between two goroutines, each
// blocking in RecvMsg: the cost of a wake-up through the buffers.
func BenchmarkPingPong(b *testing.B) {
	ctx := newCtx()
	fa, fb, _ := Pair(ctx, NamespaceOf(vfs.New()), sysunix.SOCK_STREAM, 0, false)
	defer fa.DecRef()
	defer fb.DecRef()
	x, y := sock(fa), sock(fb)
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 1)
		for {
			if r, _ := y.RecvMsg(ctx, buf, RecvOptions{}); r.N == 0 {
				close(done)
				return
			}
			y.SendMsg(ctx, buf, SendOptions{})
		}
	}()
	buf := make([]byte, 1)
	for i := 0; i < b.N; i++ {
		x.SendMsg(ctx, buf, SendOptions{})
		x.RecvMsg(ctx, buf, RecvOptions{})
	}
	x.Shutdown(sysunix.SHUT_WR)
	<-done
}
