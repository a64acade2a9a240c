package vfs_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
)

// BenchmarkStatCached is stat(2) of a cached four-component path.
func BenchmarkStatCached(b *testing.B) {
	e := newEnv(&testing.T{})
	e.mkdir("/usr", 0o755)
	e.mkdir("/usr/lib", 0o755)
	e.mkdir("/usr/lib/x86_64-linux-gnu", 0o755)
	e.writeFile("/usr/lib/x86_64-linux-gnu/libc.so.6", "x", 0o755)
	op := e.op("/usr/lib/x86_64-linux-gnu/libc.so.6", true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.v.StatAt(rootCtx, op, linux.STATX_BASIC_STATS); err != 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenClose is open(2)+close(2) of a cached path.
func BenchmarkOpenClose(b *testing.B) {
	e := newEnv(&testing.T{})
	e.mkdir("/etc", 0o755)
	e.writeFile("/etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0o644)
	op := e.op("/etc/passwd", true)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fd, err := e.v.OpenAt(rootCtx, op, unix.O_RDONLY, 0)
		if err != 0 {
			b.Fatal(err)
		}
		fd.DecRef()
	}
}

// BenchmarkRead4K is a 4 KiB read at offset 0 of a tmpfs file.
func BenchmarkRead4K(b *testing.B) {
	e := newEnv(&testing.T{})
	e.writeFile("/f", string(make([]byte, 4096)), 0o644)
	fd, err := e.v.OpenAt(rootCtx, e.op("/f", true), unix.O_RDONLY, 0)
	if err != 0 {
		b.Fatal(err)
	}
	defer fd.DecRef()
	buf := make([]byte, 4096)
	b.SetBytes(4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := fd.PRead(rootCtx, buf, 0); n != 4096 || err != 0 {
			b.Fatal(n, err)
		}
	}
}
