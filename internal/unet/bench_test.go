package unet

import "testing"

// BenchmarkPingPong is one message each way between two goroutines: the
// floor under every gofer round trip.
func BenchmarkPingPong(b *testing.B) {
	a, c, err := SocketPair()
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	go func() {
		buf := make([]byte, 128)
		for {
			n, _, err := c.Recv(buf, nil)
			if err != nil {
				c.Close()
				return
			}
			if c.Send(buf[:n], nil) != nil {
				return
			}
		}
	}()
	msg := make([]byte, 64)
	buf := make([]byte, 128)
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Send(msg, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := a.Recv(buf, nil); err != nil {
			b.Fatal(err)
		}
	}
}
