package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"moat/internal/log"
)

// A waiter is a host process, `runsc wait --exit-status [--pid N] ID`,
// that waits for the container's init (N = 0) or for the exec'd process
// N and exits with its shell-style status. --pid-file names it
// (docs/oci.md, "Waiters"): containerd's runc shim, which Docker uses for
// path runtimes, reaps the process a pid file names as a subreaper and
// takes its exit status as the container's or the exec'd process's, so
// that process must be a host process that ends when the container's
// process does. The sandbox itself outlives init (wait and state answer
// until delete), so it cannot be that process.
//
// Each waiter is recorded in the state directory as waiter-<host PID>
// holding the sandbox PID it waits for, and the status once known, so that
// `wait --pid` and `kill --pid` accept the waiter's PID for the process,
// and delete kills the waiters left.
type waiterRecord struct {
	// PID is the sandbox PID waited for (0: init).
	PID int32 `json:"pid"`
	// StartTime is the waiter's /proc start time (reused PIDs).
	StartTime uint64 `json:"startTime"`
	// Status is the shell-style exit status, once the waiter has it.
	Status *int `json:"status,omitempty"`
}

const waiterPrefix = "waiter-"

// StartWaiter starts a waiter for pid (0: init) and returns its host PID.
func (c *Container) StartWaiter(pid int32) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("finding runsc: %w", err)
	}
	// It says it relays signals by closing its end of ready: the caller
	// may signal it as soon as it has its PID.
	ready, readyW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer ready.Close()
	args := append(c.cfg.ToArgs(), "wait", "--exit-status", "--ready-fd=3")
	if pid != 0 {
		args = append(args, "--pid", strconv.Itoa(int(pid)))
	}
	cmd := exec.Command(self, append(args, c.ID)...)
	// Its own session, no terminal, nothing of the caller's stdio (a
	// pipe it held open would keep the caller's reader from EOF).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.ExtraFiles = []*os.File{readyW}
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return 0, fmt.Errorf("starting waiter: %w", err)
	}
	hostPID := cmd.Process.Pid
	// The end, or a waiter that died first (it records no status, and
	// wait --pid says so); a waiter still not ready is waited for no more.
	ready.SetReadDeadline(time.Now().Add(10 * time.Second))
	io.Copy(io.Discard, ready)
	// In the container's cgroup, like runc's processes: the runc shim
	// reads stats and OOM events from the cgroup of the pid-file process.
	cg, err := c.cgroup()
	if err == nil && cg != nil {
		err = cg.AddProcess(hostPID)
	}
	if err != nil {
		log.Warningf("waiter %d not in the container's cgroup: %v", hostPID, err)
	}
	_, start, _ := procStat(hostPID)
	rec := waiterRecord{PID: pid, StartTime: start}
	if err := c.writeWaiter(hostPID, &rec); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return 0, err
	}
	// The waiter is re-parented (to the nearest subreaper) once the caller
	// exits; the caller never waits for it.
	cmd.Process.Release()
	return hostPID, nil
}

// RecordExit stores the status of the waiter that is the calling process.
func (c *Container) RecordExit(code int) error {
	rec, err := c.readWaiter(os.Getpid())
	if err != nil {
		return err
	}
	rec.Status = &code
	return c.writeWaiter(os.Getpid(), rec)
}

// ResolvePID translates a PID given to wait or kill --pid: a waiter's host
// PID becomes the sandbox PID it waits for, with waiter set; any other PID
// is a sandbox PID and returned as is.
func (c *Container) ResolvePID(pid int32) (sandboxPID int32, waiter int) {
	rec, err := c.readWaiter(int(pid))
	if err != nil || rec.PID == 0 {
		return pid, 0
	}
	return rec.PID, int(pid)
}

// WaitWaiter waits for the waiter with host PID waiter to know its status
// and returns it. The lock is released while waiting.
func (c *Container) WaitWaiter(waiter int) (int, error) {
	c.Close()
	rec, err := c.readWaiter(waiter)
	if err != nil {
		return 0, err
	}
	if rec.Status == nil {
		if fd, err := unix.PidfdOpen(waiter, 0); err == nil {
			if _, st, _ := procStat(waiter); st == rec.StartTime {
				fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
				for {
					if _, err := unix.Poll(fds, -1); err != unix.EINTR {
						break
					}
				}
			}
			unix.Close(fd)
		}
		if rec, err = c.readWaiter(waiter); err != nil {
			return 0, err
		}
	}
	if rec.Status == nil {
		return 0, fmt.Errorf("waiter %d of process %d ended without its status", waiter, rec.PID)
	}
	return *rec.Status, nil
}

// killWaiters kills the container's waiters still running (delete).
func (c *Container) killWaiters() {
	ents, _ := os.ReadDir(c.dir)
	for _, e := range ents {
		n, ok := strings.CutPrefix(e.Name(), waiterPrefix)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if rec, err := c.readWaiter(pid); err == nil {
			killAndWait(pid, rec.StartTime, 2*time.Second)
		}
	}
}

func (c *Container) readWaiter(hostPID int) (*waiterRecord, error) {
	b, err := os.ReadFile(filepath.Join(c.dir, waiterPrefix+strconv.Itoa(hostPID)))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no waiter %d: %w", hostPID, err)
		}
		return nil, err
	}
	var rec waiterRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("reading waiter %d: %w", hostPID, err)
	}
	return &rec, nil
}

// writeWaiter replaces the record atomically (rename), so readers never
// see half of it.
func (c *Container) writeWaiter(hostPID int, rec *waiterRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	name := filepath.Join(c.dir, waiterPrefix+strconv.Itoa(hostPID))
	if err := os.WriteFile(name+".tmp", b, 0o600); err != nil {
		return fmt.Errorf("recording waiter: %w", err)
	}
	if err := os.Rename(name+".tmp", name); err != nil {
		os.Remove(name + ".tmp")
		return fmt.Errorf("recording waiter: %w", err)
	}
	return nil
}

// writeExecPIDFiles writes an exec'd process's pid files: the sandbox PID
// to InternalPIDFile, and to PIDFile the sandbox PID, or with Detach the
// host PID of a waiter for the process (containerd's runc shim reaps it).
func (c *Container) writeExecPIDFiles(a ExecArgs, pid int32) error {
	if err := writePIDFile(a.InternalPIDFile, int(pid)); err != nil {
		return err
	}
	if !a.Detach || a.PIDFile == "" {
		return writePIDFile(a.PIDFile, int(pid))
	}
	w, err := c.StartWaiter(pid)
	if err != nil {
		return err
	}
	return writePIDFile(a.PIDFile, w)
}

// CatchWaiterSignals is the first thing a waiter does: it catches the
// signals to relay (catchSignals), then closes readyFD, which StartWaiter
// waits for (0: nothing to close). RunWaiter relays them.
func CatchWaiterSignals(readyFD int) *SignalRelay {
	sigs := catchSignals()
	if readyFD > 0 {
		unix.Close(readyFD)
	}
	return sigs
}

// RunWaiter is the waiter's body (`runsc wait --exit-status`): it waits for
// pid (0: init), relaying the terminating signals it receives to it,
// records the status and returns it. A sandbox that is gone ends it
// with 128+SIGKILL.
func (c *Container) RunWaiter(pid int32, sigs *SignalRelay) int {
	defer sigs.stop()
	sigs.relay(c, pid)
	var code int
	var err error
	if pid == 0 {
		code, err = c.waitInit()
	} else {
		code, err = c.WaitPID(pid)
	}
	if err != nil {
		code = 128 + int(syscall.SIGKILL)
	}
	if err := c.RecordExit(code); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
	}
	return code
}
