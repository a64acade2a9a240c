package gofer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"moat/gofer/proto"
)

// The headline figures of docs/gofer.md: operations per second through the
// protocol (client and server in one process over a socketpair), next to
// the same work done natively.

func BenchmarkStat(b *testing.B) {
	c := serve(b, makeTree(b), Config{})
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Stat(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStatParallel(b *testing.B) {
	c := serve(b, makeTree(b), Config{})
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Stat(h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWalkStat walks one name (the reply carries its Stat) and drops
// the handle: two round trips.
func BenchmarkWalkStat(b *testing.B) {
	c := serve(b, makeTree(b), Config{})
	r := attach(b, c)
	b.ReportAllocs()
	for b.Loop() {
		h, _, err := c.WalkOne(r, "file")
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CloseHandle(h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWalk2 walks two names in one request, stats included.
func BenchmarkWalk2(b *testing.B) {
	c := serve(b, makeTree(b), Config{})
	r := attach(b, c)
	names := []string{"dir", "sub"}
	b.ReportAllocs()
	for b.Loop() {
		hs, _, err := c.Walk(r, names)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CloseHandles(hs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenClose opens a walked file (one round trip, a donated
// descriptor) and closes the descriptor.
func BenchmarkOpenClose(b *testing.B) {
	c := serve(b, makeTree(b), Config{})
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	for b.Loop() {
		fd, err := c.Open(h, unix.O_RDONLY)
		if err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
	}
}

func BenchmarkOpenCloseParallel(b *testing.B) {
	c := serve(b, makeTree(b), Config{})
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fd, err := c.Open(h, unix.O_RDONLY)
			if err != nil {
				b.Fatal(err)
			}
			unix.Close(fd)
		}
	})
}

// BenchmarkNativeStat is the host's own fstatat on the same file.
func BenchmarkNativeStat(b *testing.B) {
	p := filepath.Join(makeTree(b), "dir", "sub")
	var st unix.Stat_t
	for b.Loop() {
		if err := unix.Fstatat(unix.AT_FDCWD, p, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNativeOpenClose is the host's own open+close of the same file.
func BenchmarkNativeOpenClose(b *testing.B) {
	p := filepath.Join(makeTree(b), "dir", "sub")
	for b.Loop() {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
	}
}

// The same operations against a gofer in its own process, confined by
// Setup and its seccomp filter, as in production (needs root).

func BenchmarkChildStat(b *testing.B) {
	c := startGofer(b, makeTree(b), false, false)
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Stat(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChildWalkStat(b *testing.B) {
	c := startGofer(b, makeTree(b), false, false)
	r := attach(b, c)
	b.ReportAllocs()
	for b.Loop() {
		h, _, err := c.WalkOne(r, "file")
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CloseHandle(h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChildOpenClose(b *testing.B) {
	c := startGofer(b, makeTree(b), false, false)
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	for b.Loop() {
		fd, err := c.Open(h, unix.O_RDONLY)
		if err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
	}
}

func BenchmarkChildStatParallel(b *testing.B) {
	c := startGofer(b, makeTree(b), false, false)
	h, _ := walk(b, c, attach(b, c), "dir/sub")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Stat(h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChildWalkOpen is open(2) of an unwalked path in one round trip,
// with the descriptor and handle closed.
func BenchmarkChildWalkOpen(b *testing.B) {
	c := startGofer(b, makeTree(b), false, false)
	d, _ := walk(b, c, attach(b, c), "dir")
	b.ReportAllocs()
	for b.Loop() {
		h, _, fd, err := c.WalkOpen(d, "sub", unix.O_RDONLY)
		if err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
		if err := c.CloseHandle(h); err != nil {
			b.Fatal(err)
		}
	}
}

// bigDir makes a tree with dir/many holding 128 files and returns it with
// their names.
func bigDir(b *testing.B) (string, []string) {
	root := makeTree(b)
	var names []string
	for i := range proto.MaxWalk {
		name := fmt.Sprintf("f%03d", i)
		if err := os.WriteFile(filepath.Join(root, "dir", name), nil, 0644); err != nil {
			b.Fatal(err)
		}
		names = append(names, name)
	}
	return root, names
}

// BenchmarkChildStat128Walks stats 128 entries of a directory one WalkOne
// at a time (handles closed in one batch): what `ls -l` costs without
// Lookup.
func BenchmarkChildStat128Walks(b *testing.B) {
	root, names := bigDir(b)
	c := startGofer(b, root, false, false)
	d, _ := walk(b, c, attach(b, c), "dir")
	hs := make([]proto.Handle, len(names))
	for b.Loop() {
		for i, n := range names {
			h, _, err := c.WalkOne(d, n)
			if err != nil {
				b.Fatal(err)
			}
			hs[i] = h
		}
		if err := c.CloseHandles(hs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChildStat128Lookup stats the same 128 entries with one Lookup.
func BenchmarkChildStat128Lookup(b *testing.B) {
	root, names := bigDir(b)
	c := startGofer(b, root, false, false)
	d, _ := walk(b, c, attach(b, c), "dir")
	for b.Loop() {
		hs, _, _, err := c.Lookup(d, names)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CloseHandles(hs); err != nil {
			b.Fatal(err)
		}
	}
}
