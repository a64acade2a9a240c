package gofer

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHostSwap changes names behind the server's back: a handle must never
// open whatever file took its name.
func TestHostSwap(t *testing.T) {
	root := makeTree(t)
	c := serve(t, root, Config{})
	r := attach(t, c)
	tests := []struct {
		name string
		swap func(path string) error
	}{
		{"regular", func(p string) error {
			if err := os.WriteFile(p+".new", []byte("evil"), 0644); err != nil {
				return err
			}
			return os.Rename(p+".new", p)
		}},
		{"fifo", func(p string) error {
			os.Remove(p)
			return unix.Mkfifo(p, 0644)
		}},
		{"symlink", func(p string) error {
			os.Remove(p)
			return os.Symlink("/etc/passwd", p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(root, "swap-"+tt.name)
			if err := os.WriteFile(p, []byte("good"), 0644); err != nil {
				t.Fatal(err)
			}
			h, _ := walk(t, c, r, "swap-"+tt.name)
			if err := tt.swap(p); err != nil {
				t.Fatal(err)
			}
			for _, flags := range []int{unix.O_RDONLY, unix.O_WRONLY | unix.O_TRUNC} {
				fd, err := c.Open(h, flags)
				if err == nil {
					unix.Close(fd)
				}
				// ENXIO: a FIFO with no reader, opened non-blocking
				// for writing, fails before the identity check.
				if err != unix.ESTALE && err != unix.ELOOP && err != unix.ENXIO {
					t.Fatalf("Open(%#x) after the swap = %v, want ESTALE, ELOOP or ENXIO", flags, err)
				}
			}
			if tt.name == "regular" {
				if b, _ := os.ReadFile(p); string(b) != "evil" {
					t.Fatalf("the new file was changed: %q", b)
				}
			}
		})
	}
}
