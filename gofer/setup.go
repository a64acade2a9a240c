package gofer

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Setup confines the process to cfg.Root and returns an O_PATH descriptor
// of the new root for Serve:
//
//  1. unshare(CLONE_NEWNS) and make every mount a recursive slave, so
//     nothing done here propagates back to the host;
//  2. bind-mount Root onto itself (recursively) and set nosuid and nodev on
//     the whole tree, plus read-only when cfg.ReadOnly, with
//     mount_setattr(AT_RECURSIVE) so the host kernel enforces it on nested
//     mounts too;
//  3. pivot_root into it, detach the old root, chdir("/");
//  4. set the umask to 0 (the sentry applies the application's umask
//     itself) and open "/" as O_PATH.
//
// A mount namespace belongs to a thread's fs_struct, and Go threads share
// theirs, so unshare moves only the calling thread: Setup locks the calling
// goroutine to its thread for good. The root descriptor lives in the
// process-wide descriptor table, so every thread serves from the new root;
// for every thread to live in the private namespace too, start the gofer
// process with CLONE_NEWNS (exec.Cmd SysProcAttr.Cloneflags), which makes
// the unshare here an extra, harmless level.
//
// Setup needs CAP_SYS_ADMIN.
func Setup(cfg Config) (int, error) {
	if cfg.Root == "" || cfg.Root[0] != '/' {
		return -1, fmt.Errorf("gofer root %q: %w", cfg.Root, unix.EINVAL)
	}
	runtime.LockOSThread() // never unlocked: this thread has the namespace.
	if err := unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_FS); err != nil {
		return -1, fmt.Errorf("unsharing mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return -1, fmt.Errorf("making / a slave mount: %w", err)
	}
	if err := unix.Mount(cfg.Root, cfg.Root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return -1, fmt.Errorf("bind-mounting %q: %w", cfg.Root, err)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if cfg.ReadOnly {
		attr.Attr_set |= unix.MOUNT_ATTR_RDONLY
	}
	if err := unix.MountSetattr(-1, cfg.Root, unix.AT_RECURSIVE, &attr); err != nil {
		return -1, fmt.Errorf("setting mount attributes on %q: %w", cfg.Root, err)
	}
	if err := unix.Chdir(cfg.Root); err != nil {
		return -1, fmt.Errorf("entering %q: %w", cfg.Root, err)
	}
	// pivot_root(".", ".") stacks the old root on top of the new one;
	// detaching "." then leaves only the new root.
	if err := unix.PivotRoot(".", "."); err != nil {
		return -1, fmt.Errorf("pivot_root into %q: %w", cfg.Root, err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return -1, fmt.Errorf("detaching the old root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return -1, fmt.Errorf("entering the new root: %w", err)
	}
	unix.Umask(0)
	fd, err := OpenRoot("/")
	if err != nil {
		return -1, fmt.Errorf("opening the new root: %w", err)
	}
	return fd, nil
}
