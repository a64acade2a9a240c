package vfs

import (
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// PathOp names a file for a path-based operation.
type PathOp struct {
	// Root is the caller's root directory (chroot): absolute paths and
	// absolute symlink targets start there, and ".." stops there.
	Root VirtualDentry
	// Start is where a relative Path starts (the cwd or a dirfd).
	Start VirtualDentry
	// Path is the path. Empty paths are ENOENT; AT_EMPTY_PATH is the
	// caller's business (operate on the file itself).
	Path string
	// Follow asks to follow a symlink in the last component. A trailing
	// slash always follows.
	Follow bool
	// Resolve holds openat2(2)'s RESOLVE_* restrictions.
	Resolve uint64
}

// openat2 RESOLVE_* flags.
const (
	ResolveNoXdev       = 0x01
	ResolveNoMagiclinks = 0x02
	ResolveNoSymlinks   = 0x04
	ResolveBeneath      = 0x08
	ResolveInRoot       = 0x10
	ResolveCached       = 0x20
)

// resolver is the state of one path walk.
//
// Preconditions: VirtualFilesystem.renameMu is held (read or write) while
// its methods run.
type resolver struct {
	v      *VirtualFilesystem
	ctx    Context
	creds  *auth.Credentials
	root   VirtualDentry
	cur    VirtualDentry
	rest   string
	nlinks int
	// rflags holds RESOLVE_* flags.
	rflags uint64
}

func (v *VirtualFilesystem) newResolver(ctx Context, op *PathOp) (resolver, linux.Errno) {
	r := resolver{v: v, ctx: ctx, creds: ctx.Credentials(), root: op.Root, cur: op.Start, rest: op.Path, rflags: op.Resolve}
	if len(op.Path) == 0 {
		return r, linux.ENOENT
	}
	if len(op.Path) >= PathMax {
		return r, linux.ENAMETOOLONG
	}
	if r.rflags&(ResolveBeneath|ResolveInRoot) != 0 {
		// The start directory is the root the walk may not leave.
		r.root = op.Start
	}
	if op.Path[0] == '/' {
		if err := r.jumpToRoot(); err != 0 {
			return r, err
		}
	}
	if r.cur.dentry == nil {
		return r, linux.ENOENT
	}
	return r, 0
}

// walkToLast walks every component but the last and returns the last one
// and whether slashes followed it. The last component is "" when the path
// names the directory the walk is in (such as "/"), or "." or "..".
func (r *resolver) walkToLast() (name string, trailing bool, err linux.Errno) {
	for {
		r.rest = strings.TrimLeft(r.rest, "/")
		j := strings.IndexByte(r.rest, '/')
		if j < 0 {
			name, r.rest = r.rest, ""
			return name, false, 0
		}
		comp := r.rest[:j]
		rest := strings.TrimLeft(r.rest[j:], "/")
		if rest == "" {
			r.rest = ""
			return comp, true, 0
		}
		r.rest = rest
		if _, err := r.step(comp, true); err != 0 {
			return "", false, err
		}
	}
}

// checkDir checks that the current directory may be searched for name.
func (r *resolver) checkDir(name string) linux.Errno {
	d := r.cur.dentry
	if !d.IsDir() {
		return linux.ENOTDIR
	}
	if err := CheckPermissions(r.creds, MayExec, d.inode.Perms()); err != 0 {
		return err
	}
	if len(name) > NameMax {
		return linux.ENAMETOOLONG
	}
	return 0
}

// step moves to the component name of the current directory. If the child
// is a symlink and follow is set, the link is substituted into r.rest
// instead (r.cur stays in the directory), and followed is true.
func (r *resolver) step(name string, follow bool) (followed bool, err linux.Errno) {
	if name == "" {
		// The path ended in the current file ("/", or a magic link).
		return false, 0
	}
	if err := r.checkDir(name); err != 0 {
		return false, err
	}
	switch name {
	case ".":
		return false, 0
	case "..":
		if r.rflags&ResolveBeneath != 0 && r.cur == r.root {
			return false, linux.EXDEV
		}
		next := r.v.parentOf(r.root, r.cur)
		if r.rflags&ResolveNoXdev != 0 && next.mount != r.cur.mount {
			return false, linux.EXDEV
		}
		r.cur = next
		return false, 0
	}
	var child *Dentry
	if r.rflags&ResolveCached != 0 {
		if child = r.cur.dentry.cachedChild(name); child == nil {
			return false, linux.EAGAIN
		}
	} else if child, err = r.cur.dentry.lookup(r.ctx, name); err != 0 {
		return false, err
	}
	next := r.v.crossMounts(VirtualDentry{r.cur.mount, child})
	if r.rflags&ResolveNoXdev != 0 && next.mount != r.cur.mount {
		return false, linux.EXDEV
	}
	if follow && next.dentry.IsSymlink() {
		return true, r.followSymlink(next)
	}
	r.cur = next
	return false, 0
}

// jumpToRoot moves to the root for an absolute path or symlink target.
func (r *resolver) jumpToRoot() linux.Errno {
	if r.rflags&ResolveBeneath != 0 {
		return linux.EXDEV
	}
	if r.rflags&ResolveNoXdev != 0 && r.root.mount != r.cur.mount {
		return linux.EXDEV
	}
	r.cur = r.root
	return 0
}

// followSymlink substitutes the target of link in front of r.rest.
func (r *resolver) followSymlink(link VirtualDentry) linux.Errno {
	r.nlinks++
	if r.nlinks > MaxSymlinkTraversals || r.rflags&ResolveNoSymlinks != 0 {
		return linux.ELOOP
	}
	if err := mayFollow(r.creds, r.cur.dentry, link.dentry); err != 0 {
		return err
	}
	if ml, ok := link.dentry.inode.(MagicLink); ok {
		if r.rflags&(ResolveNoMagiclinks|ResolveBeneath|ResolveInRoot) != 0 {
			return linux.ELOOP
		}
		vd, err := ml.LinkTarget(r.ctx)
		if err != 0 {
			return err
		}
		r.cur = vd
		return 0
	}
	target, err := link.dentry.inode.Readlink(r.ctx)
	if err != 0 {
		return err
	}
	if target == "" {
		return linux.ENOENT
	}
	if target[0] == '/' {
		if err := r.jumpToRoot(); err != 0 {
			return err
		}
	}
	if r.rest != "" {
		target = target + "/" + r.rest
	}
	r.rest = target
	return 0
}

// resolve walks the whole path and returns the file it names.
func (r *resolver) resolve(follow bool) (VirtualDentry, linux.Errno) {
	for {
		name, trailing, err := r.walkToLast()
		if err != 0 {
			return VirtualDentry{}, err
		}
		followed, err := r.step(name, follow || trailing)
		if err != 0 {
			return VirtualDentry{}, err
		}
		if followed {
			if trailing {
				r.rest += "/"
			}
			continue
		}
		if trailing && !r.cur.dentry.IsDir() {
			return VirtualDentry{}, linux.ENOTDIR
		}
		return r.cur, 0
	}
}

// parentOf returns the directory ".." names from vd: it stays at root and at
// the namespace root, and crosses from a mount's root to its mount point.
func (v *VirtualFilesystem) parentOf(root, vd VirtualDentry) VirtualDentry {
	for {
		if vd == root {
			return vd
		}
		if vd.dentry == vd.mount.root {
			if vd.mount.parent == nil {
				return vd
			}
			vd = VirtualDentry{vd.mount.parent, vd.mount.point}
			continue
		}
		if vd.dentry.parent == nil {
			return vd
		}
		return v.crossMounts(VirtualDentry{vd.mount, vd.dentry.parent})
	}
}

// parentForDirent returns the dentry whose inode number getdents reports
// for "..": the parent in the same file system, or the directory itself
// at a file system's root, as Linux does.
func (v *VirtualFilesystem) parentForDirent(vd VirtualDentry) *Dentry {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	if vd.dentry.parent != nil {
		return vd.dentry.parent
	}
	return vd.dentry
}

// PathName returns the absolute path of vd as seen from root. reachable is
// false when vd is not below root; the path is then relative to vd's mount
// namespace root.
func (v *VirtualFilesystem) PathName(root, vd VirtualDentry) (path string, reachable bool) {
	v.renameMu.RLock()
	defer v.renameMu.RUnlock()
	var names []string
	reachable = true
	for vd != root {
		if vd.dentry == vd.mount.root {
			if vd.mount.parent == nil {
				reachable = false
				break
			}
			vd = VirtualDentry{vd.mount.parent, vd.mount.point}
			continue
		}
		if vd.dentry.parent == nil {
			reachable = false
			break
		}
		names = append(names, vd.dentry.name)
		vd = VirtualDentry{vd.mount, vd.dentry.parent}
	}
	if len(names) == 0 {
		return "/", reachable
	}
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(names[i])
	}
	return b.String(), reachable
}

// DisplayPath is the path /proc/[pid]/fd/N, /proc/[pid]/maps and
// /proc/[pid]/cwd show for vd seen from root: PathName, with " (deleted)"
// appended once the file has been unlinked.
func (v *VirtualFilesystem) DisplayPath(root, vd VirtualDentry) string {
	if !vd.Ok() {
		return ""
	}
	p, _ := v.PathName(root, vd)
	if vd.dentry.IsDead() {
		p += " (deleted)"
	}
	return p
}
