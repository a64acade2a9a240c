package sandbox

import (
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// maxSocketPath is the longest path a sockaddr_un holds (108 bytes with
// its terminating NUL).
const maxSocketPath = 107

// withSocketPath calls fn with a name for the Unix socket at path that fits
// in a sockaddr_un. A long path (Docker's and containerd's state
// directories, with a 64-character container ID, pass 108 bytes) is
// reached as /proc/self/fd/N/NAME through an O_PATH descriptor of its
// directory, held open while fn runs.
func withSocketPath(path string, fn func(name string) error) error {
	if len(path) <= maxSocketPath {
		return fn(path)
	}
	dir, name := filepath.Split(path)
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening socket directory %s: %w", dir, err)
	}
	defer unix.Close(fd)
	short := "/proc/self/fd/" + strconv.Itoa(fd) + "/" + name
	if len(short) > maxSocketPath {
		return fmt.Errorf("socket name %q: %w", name, unix.ENAMETOOLONG)
	}
	return fn(short)
}
