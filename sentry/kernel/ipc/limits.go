package ipc

import (
	"fmt"
	"strconv"
	"strings"

	"moat/sentry/abi/linux"
)

// Linux's default limits (include/uapi/linux/shm.h, sem.h, msg.h).
const (
	defaultShmMax = ^uint64(0) - 1<<24
	defaultShmAll = ^uint64(0) - 1<<24
	defaultShmMni = 4096
	shmMin        = 1

	defaultSemMsl = 32000
	defaultSemMns = 1024000000
	defaultSemOpm = 500
	defaultSemMni = 32000
	semVmx        = 32767
	semAem        = semVmx
	semUsz        = 20

	defaultMsgMax = 8192
	defaultMsgMnb = 16384
	defaultMsgMni = 32000
	msgSsz        = 16
	msgPool       = defaultMsgMni * defaultMsgMnb / 1024
	msgSeg        = 0xffff
)

// Sysctls are the IPC namespace's /proc/sys/kernel files, in the order
// Linux lists them.
var Sysctls = []string{"msgmax", "msgmnb", "msgmni", "sem", "shmall", "shmmax", "shmmni"}

// Sysctl returns the contents of /proc/sys/kernel/name for the namespace.
func (ns *Namespace) Sysctl(name string) (string, bool) {
	switch name {
	case "shmmax", "shmall", "shmmni":
		ns.shm.mu.Lock()
		defer ns.shm.mu.Unlock()
		v := map[string]uint64{"shmmax": ns.shm.ctlMax, "shmall": ns.shm.ctlAll, "shmmni": uint64(ns.shm.ctlMni)}[name]
		return fmt.Sprintf("%d\n", v), true
	case "sem":
		ns.sem.mu.Lock()
		defer ns.sem.mu.Unlock()
		return fmt.Sprintf("%d\t%d\t%d\t%d\n", ns.sem.msl, ns.sem.mns, ns.sem.opm, ns.sem.mni), true
	case "msgmax", "msgmnb", "msgmni":
		ns.msg.mu.Lock()
		defer ns.msg.mu.Unlock()
		v := map[string]int{"msgmax": ns.msg.ctlMax, "msgmnb": ns.msg.ctlMnb, "msgmni": ns.msg.ctlMni}[name]
		return fmt.Sprintf("%d\n", v), true
	}
	return "", false
}

// SetSysctl sets /proc/sys/kernel/name (a write to the file, or
// linux.sysctl in config.json). Values are parsed as Linux's proc
// handlers do: integers, within range, and four of them for sem.
func (ns *Namespace) SetSysctl(name, value string) linux.Errno {
	f := strings.Fields(value)
	if len(f) == 0 {
		return linux.EINVAL
	}
	switch name {
	case "shmmax", "shmall":
		v, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return linux.EINVAL
		}
		ns.shm.mu.Lock()
		defer ns.shm.mu.Unlock()
		if name == "shmmax" {
			ns.shm.ctlMax = v
		} else {
			ns.shm.ctlAll = v
		}
		return 0
	case "sem":
		if len(f) != 4 {
			return linux.EINVAL
		}
		var v [4]int
		for i := range v {
			n, err := strconv.ParseInt(f[i], 10, 32)
			if err != nil || n < 0 {
				return linux.EINVAL
			}
			v[i] = int(n)
		}
		if v[3] > ipcmni {
			return linux.EINVAL
		}
		ns.sem.mu.Lock()
		defer ns.sem.mu.Unlock()
		ns.sem.msl, ns.sem.mns, ns.sem.opm, ns.sem.mni = v[0], v[1], v[2], v[3]
		return 0
	case "shmmni", "msgmax", "msgmnb", "msgmni":
		n, err := strconv.ParseInt(f[0], 10, 32)
		if err != nil || n < 0 {
			return linux.EINVAL
		}
		v := int(n)
		if (name == "shmmni" || name == "msgmni") && v > ipcmni {
			return linux.EINVAL
		}
		if name == "shmmni" {
			ns.shm.mu.Lock()
			ns.shm.ctlMni = v
			ns.shm.mu.Unlock()
			return 0
		}
		ns.msg.mu.Lock()
		defer ns.msg.mu.Unlock()
		switch name {
		case "msgmax":
			ns.msg.ctlMax = v
		case "msgmnb":
			ns.msg.ctlMnb = v
		default:
			ns.msg.ctlMni = v
		}
		return 0
	}
	return linux.ENOENT
}
