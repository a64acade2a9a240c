package gofer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// TestRandomOps applies random changes through the vfs to a writable file
// system with tiny handle and descriptor caches, then checks that the
// sandbox's view of the tree (getdents and stat of every name, contents of
// every file) is the host's.
func TestRandomOps(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			opts := Options{MaxHandles: 3, MaxIdleFiles: 2}
			if seed%2 == 1 {
				opts = Options{MaxHandles: 1, MaxIdleFiles: -1}
			}
			e := newEnvOpts(t, t.TempDir(), opts)
			rng := rand.New(rand.NewPCG(seed, 1))
			dirs := []string{"a", "b", "a/c"}
			for _, d := range dirs {
				e.v.MkdirAt(rootCtx, e.op(d, false), 0o755)
			}
			pick := func() string {
				return dirs[rng.IntN(len(dirs))] + "/" + fmt.Sprint("n", rng.IntN(6))
			}
			var open []*vfs.FileDescription
			for range 400 {
				p, q := pick(), pick()
				op := rng.IntN(9)
				if os.Getenv("GOFER_RANDOM_LOG") != "" {
					t.Logf("op %d %s %s", op, p, q)
				}
				switch op {
				case 0, 1:
					if fd, err := e.v.OpenAt(rootCtx, e.op(p, false), unix.O_CREAT|unix.O_RDWR, 0o644); err == 0 {
						fd.PWrite(rootCtx, []byte(strings.Repeat(p, 1+rng.IntN(3))), int64(rng.IntN(4)))
						if rng.IntN(2) == 0 {
							open = append(open, fd)
						} else {
							fd.DecRef()
						}
					}
				case 2:
					e.v.UnlinkAt(rootCtx, e.op(p, false))
				case 3:
					e.v.RenameAt(rootCtx, e.op(p, false), e.op(q, false), 0)
				case 4:
					e.v.LinkAt(rootCtx, e.op(p, false), e.op(q, false))
				case 5:
					e.v.SymlinkAt(rootCtx, e.op(p, false), "../"+q)
				case 6:
					if e.v.MkdirAt(rootCtx, e.op(p, false), 0o755) == 0 {
						dirs = append(dirs, p)
					}
				case 7:
					e.v.RmdirAt(rootCtx, e.op(p, false))
				case 8:
					if len(open) > 0 && os.Getenv("GOFER_RANDOM_NOOPEN") == "" {
						i := rng.IntN(len(open))
						open[i].PWrite(rootCtx, []byte("x"), 0)
						if _, err := open[i].Stat(rootCtx, linux.STATX_BASIC_STATS); err != 0 {
							t.Errorf("fstat of an open file: %v", err)
						}
						open[i].DecRef()
						open = slices.Delete(open, i, i+1)
					}
				}
				if os.Getenv("GOFER_RANDOM_LOG") != "" {
					checkOpens(t, e, ".")
				}
			}
			for _, fd := range open {
				fd.DecRef()
			}
			compareTree(t, e, ".")
		})
	}
}

// compareTree checks the sandbox's view of dir (recursively) against the
// host's.
func compareTree(t *testing.T, e *env, dir string) {
	t.Helper()
	hostEnts, err := os.ReadDir(e.hostPath(dir))
	if err != nil {
		t.Fatalf("host readdir %q: %v", dir, err)
	}
	var want []string
	for _, de := range hostEnts {
		want = append(want, de.Name())
	}
	got := e.names(dir)[2:]
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("getdents %q = %q, host %q", dir, got, want)
	}
	for _, name := range want {
		p := filepath.Join(dir, name)
		h := e.hostLstat(p)
		st, err := e.stat(p, false)
		if err != 0 {
			t.Errorf("stat %q: %v", p, err)
			continue
		}
		if uint32(st.Mode) != h.Mode || int64(st.Size) != h.Size || uint64(st.Nlink) != h.Nlink || st.Ino != h.Ino {
			t.Errorf("stat %q: mode %#o size %d nlink %d ino %d; host %#o %d %d %d",
				p, st.Mode, st.Size, st.Nlink, st.Ino, h.Mode, h.Size, h.Nlink, h.Ino)
		}
		switch h.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			compareTree(t, e, p)
		case unix.S_IFREG:
			b, _ := os.ReadFile(e.hostPath(p))
			if got := e.readFile(p); got != string(b) {
				t.Errorf("read %q = %q, host %q", p, got, b)
			}
		case unix.S_IFLNK:
			target, _ := os.Readlink(e.hostPath(p))
			if got, _ := e.v.ReadlinkAt(rootCtx, e.op(p, false)); got != target {
				t.Errorf("readlink %q = %q, host %q", p, got, target)
			}
		}
	}
}

// checkOpens opens every regular file under dir (debugging aid).
func checkOpens(t *testing.T, e *env, dir string) {
	ents, _ := os.ReadDir(e.hostPath(dir))
	for _, de := range ents {
		p := filepath.Join(dir, de.Name())
		if de.IsDir() {
			checkOpens(t, e, p)
			continue
		}
		if de.Type().IsRegular() {
			fd, err := e.v.OpenAt(rootCtx, e.op(p, false), unix.O_RDONLY, 0)
			if err != 0 {
				t.Fatalf("open %q: %v", p, err)
			}
			fd.DecRef()
		}
	}
}
