package gofer

import (
	"math/rand"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
	"moat/internal/unet"
)

// TestStress runs clients that create, rename, link, unlink, walk, open,
// stat and close over a few shared names at once, on a server with several
// workers. Errors are expected (names come and go); panics, deadlocks, race
// reports and descriptors left open are not.
func TestStress(t *testing.T) {
	if testing.Short() {
		t.Skip("stress")
	}
	session := func() {
		root := makeTree(t)
		fd, err := OpenRoot(root)
		if err != nil {
			t.Fatal(err)
		}
		cli, srv, err := unet.SocketPair()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- Serve(srv, fd, Config{Workers: 4}) }()
		c := proto.NewClientConn(cli)
		r := attach(t, c)
		d, _ := walk(t, c, r, "dir")
		names := []string{"a", "b", "c", "d"}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewSource(int64(g)))
				var held []proto.Handle
				pick := func() string { return names[rng.Intn(len(names))] }
				dir := func() proto.Handle {
					if rng.Intn(2) == 0 {
						return r
					}
					return d
				}
				for range 300 {
					switch rng.Intn(9) {
					case 0:
						h, _, fd, err := c.Create(dir(), pick(), unix.O_RDWR, 0644, proto.NoID, proto.NoID)
						if err == nil {
							unix.Close(fd)
							held = append(held, h)
						}
					case 1:
						c.Rename(dir(), pick(), dir(), pick(), 0)
					case 2:
						c.Unlink(dir(), pick(), 0)
					case 3:
						if h, _, err := c.WalkOne(dir(), pick()); err == nil {
							held = append(held, h)
						}
					case 4:
						if len(held) > 0 {
							if fd, err := c.Open(held[rng.Intn(len(held))], unix.O_RDWR|unix.O_TRUNC); err == nil {
								unix.Close(fd)
							}
						}
					case 5:
						if len(held) > 0 {
							c.Link(dir(), pick(), held[rng.Intn(len(held))])
						}
					case 6:
						if len(held) > 0 {
							c.Stat(held[rng.Intn(len(held))])
						}
					case 7:
						if len(held) > 0 {
							i := rng.Intn(len(held))
							c.CloseHandle(held[i])
							held = append(held[:i], held[i+1:]...)
						}
					case 8:
						c.Rename(r, "dir", r, "dir", unix.RENAME_EXCHANGE)
						if h, _, err := c.WalkOne(d, pick()); err == nil {
							c.Setattr(h, &proto.SetattrReq{Mask: proto.SetattrSize, Size: 1})
							c.CloseHandle(h)
						}
					}
				}
				c.CloseHandles(held)
			}()
		}
		wg.Wait()
		c.Close()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	session()
	before := countFDs(t)
	session()
	if after := countFDs(t); after != before {
		t.Fatalf("%d descriptors open before the session, %d after", before, after)
	}
}
