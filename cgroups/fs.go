package cgroups

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// FS is the small seam between this package and the host: every read,
// write, mkdir and rmdir of a cgroup file goes through it, so that the
// v1 and v2 file formats are unit-tested on a fake without root.
type FS interface {
	// ReadFile returns a file's contents.
	ReadFile(path string) ([]byte, error)
	// WriteFile writes data to an existing file (cgroupfs files are
	// never created).
	WriteFile(path string, data string) error
	// Mkdir makes a directory; it fails with an error that
	// errors.Is(err, os.ErrExist) when it exists.
	Mkdir(path string) error
	// Rmdir removes an empty directory (a cgroup without processes).
	Rmdir(path string) error
	// Exists reports whether the path exists.
	Exists(path string) bool
	// Kill sends SIGKILL to a host process.
	Kill(pid int) error
}

// HostFS is the host's cgroup file systems.
type HostFS struct{}

// ReadFile implements FS.ReadFile.
func (HostFS) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// WriteFile implements FS.WriteFile.
func (HostFS) WriteFile(path, data string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Mkdir implements FS.Mkdir.
func (HostFS) Mkdir(path string) error { return os.Mkdir(path, 0o755) }

// Rmdir implements FS.Rmdir.
func (HostFS) Rmdir(path string) error { return syscall.Rmdir(path) }

// Exists implements FS.Exists.
func (HostFS) Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Kill implements FS.Kill.
func (HostFS) Kill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// readString reads a file and trims its trailing white space.
func readString(fs FS, path string) (string, error) {
	b, err := fs.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// readUint reads a file holding one number; "max" reads as max.
func readUint(fs FS, path string, max uint64) (uint64, error) {
	s, err := readString(fs, path)
	if err != nil {
		return 0, err
	}
	if s == "max" {
		return max, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// readKeyed reads a flat keyed file ("key value" lines: memory.stat,
// cpu.stat, memory.events, memory.oom_control, cpuacct.stat).
func readKeyed(fs FS, path string) (map[string]uint64, error) {
	b, err := fs.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseKeyed(string(b)), nil
}

// parseKeyed parses "key value" lines; lines whose value is not a number
// are skipped.
func parseKeyed(s string) map[string]uint64 {
	m := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		if v, err := strconv.ParseUint(f[1], 10, 64); err == nil {
			m[f[0]] = v
		}
	}
	return m
}

// isNotExist reports whether err says a file is missing.
func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
