package gofer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// benchModes runs f on a read-only and a writable file system.
func benchModes(b *testing.B, f func(b *testing.B, e *env)) {
	for _, m := range []struct {
		name string
		ro   bool
	}{{"ro", true}, {"rw", false}} {
		b.Run(m.name, func(b *testing.B) { f(b, newEnv(b, m.ro)) })
	}
}

// BenchmarkStat is stat(2) of a cached three-component path through the
// vfs: no gofer round trip on a read-only file system, one gofer Stat on a
// writable one.
func BenchmarkStat(b *testing.B) {
	benchModes(b, func(b *testing.B, e *env) {
		op := e.op("dirlink/inner/../sub", true)
		if _, err := e.v.StatAt(rootCtx, op, linux.STATX_BASIC_STATS); err != 0 {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.v.StatAt(rootCtx, op, linux.STATX_BASIC_STATS); err != 0 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStatOpenFile is stat(2) of a file some description holds open:
// a writable file system fstats the host descriptor instead of asking the
// gofer.
func BenchmarkStatOpenFile(b *testing.B) {
	benchModes(b, func(b *testing.B, e *env) {
		fd := e.open("dir/sub", unix.O_RDONLY, 0)
		defer fd.DecRef()
		op := e.op("dir/sub", true)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.v.StatAt(rootCtx, op, linux.STATX_BASIC_STATS); err != 0 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOpenClose is open(2)+close(2) of a cached regular file through
// the vfs: the host descriptor of the first open is reused.
func BenchmarkOpenClose(b *testing.B) {
	benchModes(b, func(b *testing.B, e *env) {
		op := e.op("dir/sub", true)
		b.ReportAllocs()
		for b.Loop() {
			fd, err := e.v.OpenAt(rootCtx, op, unix.O_RDONLY, 0)
			if err != 0 {
				b.Fatal(err)
			}
			fd.DecRef()
		}
	})
}

// BenchmarkStatMissing is stat(2) of a missing name: a read-only file
// system remembers it (as a dynamic loader's library search needs).
func BenchmarkStatMissing(b *testing.B) {
	benchModes(b, func(b *testing.B, e *env) {
		op := e.op("dir/libmissing.so", true)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.v.StatAt(rootCtx, op, linux.STATX_BASIC_STATS); err != linux.ENOENT {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGoferStat is one gofer Stat round trip, the cost the caches
// avoid.
func BenchmarkGoferStat(b *testing.B) {
	e := newEnv(b, true)
	h := e.fs.root.base().res.h
	for b.Loop() {
		if _, err := e.client.Stat(h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead4K is a 4 KiB pread through the vfs and the shared host
// descriptor.
func BenchmarkRead4K(b *testing.B) {
	e := newEnv(b, true)
	fd := e.open("file", unix.O_RDONLY, 0)
	defer fd.DecRef()
	buf := make([]byte, 4096)
	b.SetBytes(4096)
	for b.Loop() {
		if _, err := fd.PRead(rootCtx, buf, 0); err != 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoferGetdents is the listing of a 40-entry directory through
// the protocol (two round trips: a page and the empty page that ends it),
// what the first getdents of a directory costs.
func BenchmarkGoferGetdents(b *testing.B) {
	host := b.TempDir()
	for i := range 40 {
		os.WriteFile(filepath.Join(host, fmt.Sprint("file-", i)), nil, 0o644)
	}
	e := newEnvOpts(b, host, Options{ReadOnly: true})
	h := e.fs.root.base().res.h
	for b.Loop() {
		if _, err := e.client.Getdents(h); err != nil {
			b.Fatal(err)
		}
	}
}
