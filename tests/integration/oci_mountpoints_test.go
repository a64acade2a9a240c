package integration

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestOCIMountPoints: a read-only root that lacks its mount points (a pod's
// pause image is a single binary) gets them in the host's rootfs before the
// sandbox starts, in the spec's order, as runc makes them: directories,
// and an empty file for a file bind mount (the CRI's /etc/resolv.conf).
// Mount points below an earlier tmpfs are made in that tmpfs, not in the
// rootfs (one listed before the tmpfs is the rootfs's); a symlink in the image resolves inside it. The root stays
// read-only to the container. The rootfs is the test's own copy.
func TestOCIMountPoints(t *testing.T) {
	o := newOCI(t)
	rootfs := o.minimalRootfs()
	for _, d := range []string{"proc", "dev", "tmp"} {
		os.Remove(filepath.Join(rootfs, d))
	}
	// A host directory the link aims at, not under /tmp (a tmpfs here).
	outside, err := os.MkdirTemp("/var/tmp", "moat-mountpoints-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(outside) })
	os.Symlink("../../../../../../../.."+outside, filepath.Join(rootfs, "evil"))
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	os.WriteFile(resolv, []byte("nameserver 192.0.2.1\n"), 0o644)
	vol := t.TempDir()
	os.WriteFile(filepath.Join(vol, "marker"), []byte("vol\n"), 0o644)
	shm, evil := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(evil, "marker"), []byte("evil\n"), 0o644)
	bind := func(dst, src, opt string) specs.Mount {
		return specs.Mount{Destination: dst, Type: "bind", Source: src, Options: []string{"rbind", opt}}
	}
	script := `cd /bin; ./busybox cat /etc/resolv.conf /data/vol/marker /evil/sub/marker` +
		` && echo w > /data/vol/written && ./busybox ls -d /dev/shm /tmp/in-tmpfs /proc/self` +
		` && ! ./busybox touch /newfile 2>/dev/null && echo read-only`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Root.Path = rootfs // read-only, as o.bundle makes it
		s.Mounts = append(s.Mounts,
			bind("/dev/shm", shm, "rw"), // below the /dev tmpfs
			bind("/etc/resolv.conf", resolv, "ro"),
			bind("/data/vol", vol, "rw"),
			bind("/evil/sub", evil, "ro"),
			bind("/tmp/in-tmpfs", t.TempDir(), "rw"),
			// In spec order: before the tmpfs that later hides it, a
			// mount point is the rootfs's.
			bind("/early/inner", t.TempDir(), "ro"),
			specs.Mount{Destination: "/early", Type: "tmpfs", Source: "tmpfs"})
	}, "/bin/busybox", "sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "mp1")
	want := "nameserver 192.0.2.1\nvol\nevil\n/dev/shm\n/proc/self\n/tmp/in-tmpfs\nread-only\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("run: %s\nwant stdout %q", r, want)
	}
	if b, err := os.ReadFile(filepath.Join(vol, "written")); err != nil || string(b) != "w\n" {
		t.Errorf("rw bind mount: %q %v", b, err)
	}
	for p, dir := range map[string]bool{
		"proc": true, "dev": true, "tmp": true, "etc": true, "etc/resolv.conf": false,
		"data/vol": true, filepath.Join(outside[1:], "sub"): true, "early/inner": true,
	} {
		st, err := os.Lstat(filepath.Join(rootfs, p))
		if err != nil || st.IsDir() != dir {
			t.Errorf("host rootfs %s: %v (dir %v, want %v)", p, err, err == nil && st.IsDir(), dir)
		} else if st.Size() != 0 && !dir {
			t.Errorf("host rootfs %s: a mount point file has data", p)
		}
	}
	for _, p := range []string{"dev/shm", "tmp/in-tmpfs", "newfile"} {
		if _, err := os.Lstat(filepath.Join(rootfs, p)); !os.IsNotExist(err) {
			t.Errorf("host rootfs %s should not exist: %v", p, err)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("a mount point was made outside the rootfs, behind a symlink: %v", ents)
	}
}
