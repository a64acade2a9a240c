package gofer

import (
	"fmt"
	"os"
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
//     itself) and open "/" as O_PATH;
//  5. drop every capability but KeptCapabilities, on every thread.
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
	// Take a detached copy of the tree first: the staging tmpfs below may
	// hide cfg.Root (a rootfs under /tmp), and a bind of "/" onto itself
	// cannot be pivoted into (the process root stays on the lower mount).
	tree, err := unix.OpenTree(unix.AT_FDCWD, cfg.Root, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return -1, fmt.Errorf("cloning the mount tree of %q: %w", cfg.Root, err)
	}
	defer unix.Close(tree)
	staging, err := stagingDir()
	if err != nil {
		return -1, err
	}
	if err := unix.Mount("tmpfs", staging, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0700,size=64k"); err != nil {
		return -1, fmt.Errorf("mounting the staging tmpfs on %q: %w", staging, err)
	}
	newRoot := staging + "/root"
	if err := unix.Mkdir(newRoot, 0o700); err != nil {
		return -1, fmt.Errorf("making %q: %w", newRoot, err)
	}
	if err := unix.MoveMount(tree, "", unix.AT_FDCWD, newRoot, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return -1, fmt.Errorf("attaching %q: %w", cfg.Root, err)
	}
	if err := detachKernelFilesystems(newRoot); err != nil {
		return -1, err
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if cfg.ReadOnly {
		attr.Attr_set |= unix.MOUNT_ATTR_RDONLY
	}
	if err := unix.MountSetattr(-1, newRoot, unix.AT_RECURSIVE, &attr); err != nil {
		return -1, fmt.Errorf("setting mount attributes on %q: %w", cfg.Root, err)
	}
	if err := unix.Chdir(newRoot); err != nil {
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
	if err := DropCapabilities(); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// stagingDir returns an existing directory of the host to mount the
// staging tmpfs on. The mount is private to the gofer's namespace, so any
// directory will do; these exist on every Linux host.
func stagingDir() (string, error) {
	for _, d := range []string{"/tmp", "/run", "/mnt", "/var/tmp", "/dev"} {
		if st, err := os.Lstat(d); err == nil && st.IsDir() {
			return d, nil
		}
	}
	return "", fmt.Errorf("no directory to stage the gofer root on")
}
