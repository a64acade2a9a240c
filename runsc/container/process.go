package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// procStat reads a process's state letter and start time (field 22) from
// /proc/PID/stat.
func procStat(pid int) (state byte, start uint64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+2:])
	// fields[0] is field 3 (state); start time is field 22.
	if len(fields) < 20 {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	start, err = strconv.ParseUint(fields[19], 10, 64)
	return fields[0][0], start, err
}

// startTime returns pid's start time, or 0.
func startTime(pid int) uint64 {
	_, st, err := procStat(pid)
	if err != nil {
		return 0
	}
	return st
}

// alive reports whether pid is the process that started at start and
// has not exited (a zombie counts as exited).
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	state, st, err := procStat(pid)
	if err != nil || st != start {
		return false
	}
	return state != 'Z' && state != 'X'
}

// killAndWait sends SIGKILL to pid (if it is still the process that
// started at start) and waits until it is gone or a zombie.
func killAndWait(pid int, start uint64, timeout time.Duration) error {
	if !alive(pid, start) {
		return nil
	}
	if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("killing process %d: %w", pid, err)
	}
	deadline := time.Now().Add(timeout)
	for alive(pid, start) {
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d did not die after SIGKILL", pid)
		}
		// Reap it if it is our child (run, or create in this process).
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		time.Sleep(5 * time.Millisecond)
	}
	var ws unix.WaitStatus
	unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	return nil
}

// treeRSS is the resident memory, in bytes, of pid and its descendants
// (the sandbox and its stub processes), from /proc/PID/statm. Pages
// shared between them are counted once per process.
func treeRSS(pid int) uint64 {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+2 >= len(s) {
			continue
		}
		fields := strings.Fields(s[i+2:])
		if len(fields) < 2 {
			continue
		}
		child, err1 := strconv.Atoi(filepath.Base(filepath.Dir(f)))
		ppid, err2 := strconv.Atoi(fields[1])
		if err1 == nil && err2 == nil {
			children[ppid] = append(children[ppid], child)
		}
	}
	page := uint64(os.Getpagesize())
	var total uint64
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[0]
		todo = append(todo[1:], children[p]...)
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/statm")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 1 {
			if n, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				total += n * page
			}
		}
	}
	return total
}
