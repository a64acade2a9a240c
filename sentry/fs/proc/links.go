package proc

import (
	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// readerRoot returns the root directory paths are shown relative to: the
// reading task's, or t's for kernel-internal readers (or a nil ctx).
func (fs *filesystem) readerRoot(ctx vfs.Context, t *kernel.Task) vfs.VirtualDentry {
	var reader *kernel.Task
	if ctx != nil {
		reader = callerTask(ctx)
	}
	for _, x := range []*kernel.Task{reader, t} {
		if x == nil {
			continue
		}
		if c := x.FSContext(); c != nil {
			if r := c.RootDirectory(); r.Ok() {
				return r
			}
		}
	}
	return fs.v.Root()
}

// pathOf renders vd as seen from the reader, with " (deleted)" for an
// unlinked file, as Linux's d_path does.
func (fs *filesystem) pathOf(ctx vfs.Context, t *kernel.Task, vd vfs.VirtualDentry) string {
	p, _ := fs.v.PathName(fs.readerRoot(ctx, t), vd)
	if vd.Dentry().IsDead() {
		p += " (deleted)"
	}
	return p
}

// dirLink returns a magic link to one of a task's directories (cwd, root).
func dirLink(n node, which func(c *kernel.FSContext) vfs.VirtualDentry) vfs.Inode {
	l := &magicLink{symlink: symlink{node: n}}
	dir := func(ctx vfs.Context) (*kernel.Task, vfs.VirtualDentry, linux.Errno) {
		t := l.task()
		if t == nil {
			return nil, vfs.VirtualDentry{}, linux.ENOENT
		}
		if err := mayAccessTask(ctx, t); err != 0 {
			return nil, vfs.VirtualDentry{}, err
		}
		c := t.FSContext()
		if c == nil {
			return nil, vfs.VirtualDentry{}, linux.ENOENT
		}
		vd := which(c)
		if !vd.Ok() {
			return nil, vfs.VirtualDentry{}, linux.ENOENT
		}
		return t, vd, 0
	}
	l.target = func(ctx vfs.Context) (string, linux.Errno) {
		t, vd, err := dir(ctx)
		if err != 0 {
			return "", err
		}
		return l.fs.pathOf(ctx, t, vd), 0
	}
	l.resolve = func(ctx vfs.Context) (vfs.VirtualDentry, linux.Errno) {
		_, vd, err := dir(ctx)
		return vd, err
	}
	return l
}

func newCwdLink(_ *taskDir, n node) vfs.Inode {
	return dirLink(n, (*kernel.FSContext).WorkingDirectory)
}

func newRootLink(_ *taskDir, n node) vfs.Inode {
	return dirLink(n, (*kernel.FSContext).RootDirectory)
}

// newExeLink returns /proc/PID/exe. The memory manager records the
// program's path rather than its file, so this is a plain symlink to that
// path, resolved in the reader's root.
// TODO(#4): a magic link to the executable's file once mm keeps it.
func newExeLink(_ *taskDir, n node) vfs.Inode {
	l := &symlink{node: n}
	l.target = func(ctx vfs.Context) (string, linux.Errno) {
		t := l.task()
		if t == nil {
			return "", linux.ENOENT
		}
		if err := mayAccessTask(ctx, t); err != 0 {
			return "", err
		}
		m := t.MM()
		if m == nil || m.Executable() == "" {
			return "", linux.ENOENT
		}
		return m.Executable(), 0
	}
	return l
}
