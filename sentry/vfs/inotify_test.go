package vfs_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/vfs"
)

// readEvents drains an inotify instance into "mask-names:name" strings.
func readEvents(t *testing.T, fd *vfs.FileDescription) []string {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := fd.Read(rootCtx, buf)
	if err == linux.EAGAIN {
		return nil
	}
	if err != 0 {
		t.Fatalf("read: %v", err)
	}
	var out []string
	for off := 0; off < n; {
		wd := int32(binary.LittleEndian.Uint32(buf[off:]))
		mask := binary.LittleEndian.Uint32(buf[off+4:])
		l := int(binary.LittleEndian.Uint32(buf[off+12:]))
		name := strings.TrimRight(string(buf[off+16:off+16+l]), "\x00")
		out = append(out, fmt.Sprintf("%d:%s:%s", wd, maskName(mask), name))
		off += 16 + l
	}
	return out
}

func maskName(m uint32) string {
	names := []struct {
		bit  uint32
		name string
	}{
		{unix.IN_ACCESS, "ACCESS"}, {unix.IN_MODIFY, "MODIFY"}, {unix.IN_ATTRIB, "ATTRIB"},
		{unix.IN_CLOSE_WRITE, "CLOSE_WRITE"}, {unix.IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"},
		{unix.IN_OPEN, "OPEN"}, {unix.IN_MOVED_FROM, "MOVED_FROM"}, {unix.IN_MOVED_TO, "MOVED_TO"},
		{unix.IN_CREATE, "CREATE"}, {unix.IN_DELETE, "DELETE"}, {unix.IN_DELETE_SELF, "DELETE_SELF"},
		{unix.IN_MOVE_SELF, "MOVE_SELF"}, {unix.IN_IGNORED, "IGNORED"}, {unix.IN_ISDIR, "ISDIR"},
	}
	var s []string
	for _, n := range names {
		if m&n.bit != 0 {
			s = append(s, n.name)
		}
	}
	return strings.Join(s, "|")
}

func TestInotify(t *testing.T) {
	e := newEnv(t)
	e.mkdir("/d", 0o755)
	ifd := e.v.NewInotify(unix.O_NONBLOCK)
	defer ifd.DecRef()
	in := ifd.Impl().(*vfs.Inotify)
	dvd, _ := e.v.GetDentryAt(rootCtx, e.op("/d", true))
	wd, err := in.AddWatch(dvd, unix.IN_ALL_EVENTS)
	if err != 0 || wd != 1 {
		t.Fatalf("AddWatch: %d %v", wd, err)
	}
	if got := readEvents(t, ifd); got != nil {
		t.Fatalf("events before anything happened: %q", got)
	}
	e.writeFile("/d/f", "x", 0o644)
	e.mkdir("/d/sub", 0o755)
	e.v.RenameAt(rootCtx, e.op("/d/f", false), e.op("/d/g", false), 0)
	e.chmod("/d/g", 0o600)
	e.v.UnlinkAt(rootCtx, e.op("/d/g", false))
	e.v.RmdirAt(rootCtx, e.op("/d/sub", false))
	got := readEvents(t, ifd)
	want := []string{
		"1:CREATE:f", "1:OPEN:f", "1:MODIFY:f", "1:CLOSE_WRITE:f",
		"1:CREATE|ISDIR:sub",
		"1:MOVED_FROM:f", "1:MOVED_TO:g",
		"1:ATTRIB:g",
		"1:DELETE:g",
		"1:DELETE|ISDIR:sub",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
	// Cookies pair the two halves of a rename.
	e.writeFile("/d/h", "", 0o644)
	readEvents(t, ifd)
	e.v.RenameAt(rootCtx, e.op("/d/h", false), e.op("/d/i", false), 0)
	buf := make([]byte, 256)
	n, _ := ifd.Read(rootCtx, buf)
	c1, c2 := binary.LittleEndian.Uint32(buf[8:]), binary.LittleEndian.Uint32(buf[16+16+8:])
	if n == 0 || c1 == 0 || c1 != c2 {
		t.Errorf("rename cookies %d %d", c1, c2)
	}
	// A file watch ends with DELETE_SELF and IGNORED.
	fvd, _ := e.v.GetDentryAt(rootCtx, e.op("/d/i", true))
	fwd, _ := in.AddWatch(fvd, unix.IN_DELETE_SELF|unix.IN_ATTRIB)
	e.v.UnlinkAt(rootCtx, e.op("/d/i", false))
	got = readEvents(t, ifd)
	want = []string{"1:DELETE:i", fmt.Sprintf("%d:DELETE_SELF:", fwd), fmt.Sprintf("%d:IGNORED:", fwd)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("file watch events\n got %q\nwant %q", got, want)
	}
	if err := in.RmWatch(fwd); err != linux.EINVAL {
		t.Errorf("rm of an ended watch: %v", err)
	}
	if err := in.RmWatch(wd); err != 0 {
		t.Fatal(err)
	}
	if got := readEvents(t, ifd); len(got) != 1 || got[0] != "1:IGNORED:" {
		t.Errorf("after rm_watch: %q", got)
	}
	e.writeFile("/d/j", "", 0o644)
	if got := readEvents(t, ifd); got != nil {
		t.Errorf("events after rm_watch: %q", got)
	}
	// A too-small buffer is EINVAL.
	in.AddWatch(dvd, unix.IN_CREATE)
	e.writeFile("/d/k", "", 0o644)
	if _, err := ifd.Read(rootCtx, make([]byte, 8)); err != linux.EINVAL {
		t.Errorf("short read: %v", err)
	}
}
