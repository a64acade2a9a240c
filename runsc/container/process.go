package container

import (
	"errors"
	"fmt"
	"os"
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
