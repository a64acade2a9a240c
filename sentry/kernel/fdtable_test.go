package kernel

import (
	"sync"
	"testing"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// countingFile records releases.
type countingFile struct {
	vfs.FileDefaults
	released *int
}

func (c countingFile) Release() { *c.released++ }

func newTestFile(released *int) *vfs.FileDescription {
	return vfs.NewFileDescription(countingFile{released: released}, vfs.VirtualDentry{}, 0)
}

func TestFDTableLowestFree(t *testing.T) {
	var rel int
	f := newTestFile(&rel)
	tab := NewFDTable()
	for want := int32(0); want < 5; want++ {
		fd, err := tab.NewFD(0, f, FDFlags{})
		if err != 0 || fd != want {
			t.Fatalf("NewFD = %d, %v; want %d", fd, err, want)
		}
	}
	g, err := tab.Remove(2)
	if err != 0 || g != f {
		t.Fatalf("Remove(2) = %v", err)
	}
	g.DecRef()
	if fd, _ := tab.NewFD(0, f, FDFlags{}); fd != 2 {
		t.Errorf("lowest free after close(2) = %d", fd)
	}
	if fd, _ := tab.NewFD(10, f, FDFlags{}); fd != 10 {
		t.Errorf("NewFD(min 10) = %d", fd)
	}
	if fd, _ := tab.NewFD(0, f, FDFlags{}); fd != 5 {
		t.Errorf("NewFD after a high fd = %d, want 5", fd)
	}
	if fd, _ := tab.NewFD(3, f, FDFlags{}); fd != 6 {
		t.Errorf("NewFD(min 3) = %d, want 6", fd)
	}
	if _, err := tab.Remove(7); err != linux.EBADF {
		t.Errorf("Remove of a closed fd: %v", err)
	}
	if _, _, err := tab.Get(-1); err != linux.EBADF {
		t.Errorf("Get(-1): %v", err)
	}
	if _, _, err := tab.Get(1 << 20); err != linux.EBADF {
		t.Errorf("Get(huge): %v", err)
	}
	tab.RemoveAll(nil)
	f.DecRef()
	if rel != 1 {
		t.Errorf("released %d times, want 1", rel)
	}
}

func TestFDTableDup2AndFlags(t *testing.T) {
	var relA, relB int
	a, b := newTestFile(&relA), newTestFile(&relB)
	tab := NewFDTable()
	tab.NewFD(0, a, FDFlags{})
	tab.NewFD(0, b, FDFlags{CloseOnExec: true})
	// dup2 onto itself keeps the file.
	if err := tab.NewFDAt(0, a, FDFlags{}); err != 0 {
		t.Fatal(err)
	}
	a.DecRef()
	if relA != 0 {
		t.Fatalf("dup2 onto itself released the file")
	}
	// dup2 over fd 1 closes b.
	b.DecRef()
	if err := tab.NewFDAt(1, a, FDFlags{}); err != 0 {
		t.Fatal(err)
	}
	if relB != 1 {
		t.Errorf("replaced file released %d times", relB)
	}
	if err := tab.NewFDAt(100, a, FDFlags{CloseOnExec: true}); err != 0 {
		t.Fatal(err)
	}
	if _, fl, _ := tab.Get(100); !fl.CloseOnExec {
		t.Errorf("cloexec flag lost")
	}
	tab.SetFlags(1, FDFlags{CloseOnExec: true})
	tab.RemoveCloseOnExec()
	for fd, open := range map[int32]bool{0: true, 1: false, 100: false} {
		f, _, err := tab.Get(fd)
		if (err == 0) != open {
			t.Errorf("fd %d open=%v after exec", fd, err == 0)
		}
		if f != nil {
			f.DecRef()
		}
	}
	if err := tab.NewFDAt(-1, a, FDFlags{}); err != linux.EBADF {
		t.Errorf("NewFDAt(-1): %v", err)
	}
	if err := tab.NewFDAt(DefaultMaxFDs, a, FDFlags{}); err != linux.EBADF {
		t.Errorf("NewFDAt(limit): %v", err)
	}
}

func TestFDTableEMFILE(t *testing.T) {
	var rel int
	f := newTestFile(&rel)
	tab := NewFDTable()
	tab.SetMaxFDs(3)
	for i := 0; i < 3; i++ {
		if _, err := tab.NewFD(0, f, FDFlags{}); err != 0 {
			t.Fatal(err)
		}
	}
	if _, err := tab.NewFD(0, f, FDFlags{}); err != linux.EMFILE {
		t.Errorf("NewFD past the limit: %v", err)
	}
	if _, err := tab.NewFD(5, f, FDFlags{}); err != linux.EMFILE {
		t.Errorf("NewFD(min 5) past the limit: %v", err)
	}
}

func TestFDTableFork(t *testing.T) {
	var rel int
	f := newTestFile(&rel)
	tab := NewFDTable()
	tab.NewFD(0, f, FDFlags{})
	f.DecRef()
	child := tab.Fork()
	tab.RemoveAll(nil)
	if rel != 0 {
		t.Fatalf("file released while the forked table holds it")
	}
	g, _, err := child.Get(0)
	if err != 0 || g != f {
		t.Fatalf("child lost fd 0")
	}
	g.DecRef()
	child.RemoveAll(nil)
	if rel != 1 {
		t.Errorf("released %d times", rel)
	}
}

// TestFDTableConcurrentGet races Get against NewFD/Remove growth.
func TestFDTableConcurrentGet(t *testing.T) {
	var rel int
	f := newTestFile(&rel)
	tab := NewFDTable()
	tab.NewFD(0, f, FDFlags{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				g, _, err := tab.Get(0)
				if err != 0 {
					t.Error("fd 0 vanished")
					return
				}
				g.DecRef()
				if g, _, err := tab.Get(500); err == 0 {
					g.DecRef()
				}
			}
		}()
	}
	for i := 0; i < 2000; i++ {
		fd, err := tab.NewFD(1, f, FDFlags{})
		if err != 0 {
			t.Fatal(err)
		}
		if i%2 == 0 {
			g, _ := tab.Remove(fd)
			g.DecRef()
		}
	}
	close(stop)
	wg.Wait()
}

func BenchmarkFDTableGet(b *testing.B) {
	var rel int
	f := newTestFile(&rel)
	tab := NewFDTable()
	tab.NewFD(0, f, FDFlags{})
	for i := 0; i < b.N; i++ {
		g, _, _ := tab.Get(0)
		g.DecRef()
	}
}

func TestFDTableRanges(t *testing.T) {
	var rel int
	f := newTestFile(&rel)
	tab := NewFDTable()
	for i := 0; i < 10; i++ {
		tab.NewFD(0, f, FDFlags{})
	}
	tab.SetCloseOnExecRange(8, 1<<30)
	closed := tab.RemoveRange(3, 5)
	if len(closed) != 3 {
		t.Fatalf("closed %d", len(closed))
	}
	for _, c := range closed {
		c.DecRef()
	}
	if fd, _ := tab.NewFD(0, f, FDFlags{}); fd != 3 {
		t.Errorf("lowest free after close_range: %d", fd)
	}
	if _, fl, _ := tab.Get(9); !fl.CloseOnExec {
		t.Errorf("CLOSE_RANGE_CLOEXEC not applied")
	}
	if _, fl, _ := tab.Get(7); fl.CloseOnExec {
		t.Errorf("CLOSE_RANGE_CLOEXEC applied out of range")
	}
	if n := len(tab.RemoveRange(20, 10)); n != 0 {
		t.Errorf("empty range closed %d", n)
	}
}
