package gofer

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// kernelFilesystems are file system types that describe the host kernel
// rather than hold files: never serve them to a sandbox (the sentry has its
// own /proc, /sys and /dev).
var kernelFilesystems = map[string]bool{
	"proc": true, "sysfs": true, "cgroup": true, "cgroup2": true, "devtmpfs": true,
	"devpts": true, "mqueue": true, "securityfs": true, "debugfs": true, "tracefs": true,
	"bpf": true, "pstore": true, "configfs": true, "fusectl": true, "efivarfs": true,
	"binfmt_misc": true, "autofs": true, "hugetlbfs": true, "rpc_pipefs": true, "nsfs": true,
}

// detachKernelFilesystems lazily unmounts every kernel file system mounted
// below root, deepest first. Serving the host's "/" must not hand the
// sandbox the host's /proc or /sys.
func detachKernelFilesystems(root string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("reading mountinfo: %w", err)
	}
	defer f.Close()
	var targets []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options ... - fstype source super
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, fl := range fields {
			if fl == "-" {
				sep = i
				break
			}
		}
		if len(fields) < 5 || sep < 0 || sep+1 >= len(fields) {
			continue
		}
		mp := unescapeMountPath(fields[4])
		if (mp == root || strings.HasPrefix(mp, root+"/")) && kernelFilesystems[fields[sep+1]] {
			targets = append(targets, mp)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading mountinfo: %w", err)
	}
	sort.Slice(targets, func(i, j int) bool { return len(targets[i]) > len(targets[j]) })
	for _, t := range targets {
		if err := unix.Unmount(t, unix.MNT_DETACH); err != nil && err != unix.EINVAL && err != unix.ENOENT {
			return fmt.Errorf("detaching %s from the served tree: %w", t, err)
		}
	}
	return nil
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 for space...).
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			v := (s[i+1]-'0')*64 + (s[i+2]-'0')*8 + (s[i+3] - '0')
			b.WriteByte(v)
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
