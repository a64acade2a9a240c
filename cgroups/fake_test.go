package cgroups

import (
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
)

// fakeFS is an in-memory cgroup tree. A new directory gets the files
// newFiles lists (as the kernel makes a cgroup's files); writes are
// recorded in order.
type fakeFS struct {
	files    map[string]string
	dirs     map[string]bool
	newFiles map[string]string
	writes   []string
	killed   []int
	// fail makes writes to a file fail with an error.
	fail map[string]error
}

func newFakeFS(newFiles map[string]string) *fakeFS {
	return &fakeFS{files: map[string]string{}, dirs: map[string]bool{"/": true}, newFiles: newFiles, fail: map[string]error{}}
}

func (f *fakeFS) ReadFile(p string) ([]byte, error) {
	s, ok := f.files[p]
	if !ok {
		return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
	}
	return []byte(s), nil
}

func (f *fakeFS) WriteFile(p, data string) error {
	if err := f.fail[p]; err != nil {
		return &os.PathError{Op: "write", Path: p, Err: err}
	}
	if _, ok := f.files[p]; !ok {
		return &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
	}
	f.files[p] = data
	f.writes = append(f.writes, p+"="+data)
	return nil
}

func (f *fakeFS) Mkdir(p string) error {
	if f.dirs[p] {
		return &os.PathError{Op: "mkdir", Path: p, Err: os.ErrExist}
	}
	if !f.dirs[path.Dir(p)] {
		return &os.PathError{Op: "mkdir", Path: p, Err: os.ErrNotExist}
	}
	f.dirs[p] = true
	for name, v := range f.newFiles {
		f.files[path.Join(p, name)] = v
	}
	return nil
}

func (f *fakeFS) Rmdir(p string) error {
	if !f.dirs[p] {
		return &os.PathError{Op: "rmdir", Path: p, Err: os.ErrNotExist}
	}
	for d := range f.dirs {
		if path.Dir(d) == p {
			return &os.PathError{Op: "rmdir", Path: p, Err: syscall.ENOTEMPTY}
		}
	}
	if strings.TrimSpace(f.files[path.Join(p, "cgroup.procs")]) != "" {
		return &os.PathError{Op: "rmdir", Path: p, Err: syscall.EBUSY}
	}
	delete(f.dirs, p)
	for name := range f.files {
		if path.Dir(name) == p {
			delete(f.files, name)
		}
	}
	return nil
}

func (f *fakeFS) Exists(p string) bool {
	_, ok := f.files[p]
	return ok || f.dirs[p]
}

func (f *fakeFS) Kill(pid int) error {
	f.killed = append(f.killed, pid)
	// The process dies: it leaves every cgroup.
	for name, v := range f.files {
		if path.Base(name) == "cgroup.procs" {
			f.files[name] = strings.ReplaceAll(v, itoa(pid), "")
		}
	}
	return nil
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}

// mkdirAll makes dirs (with the fake's new files) below an existing root.
func (f *fakeFS) mkdirAll(p string) {
	if f.dirs[p] {
		return
	}
	f.mkdirAll(path.Dir(p))
	f.Mkdir(p)
}

// dirList lists the directories below prefix, sorted.
func (f *fakeFS) dirList(prefix string) []string {
	var out []string
	for d := range f.dirs {
		if strings.HasPrefix(d, prefix) {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}
