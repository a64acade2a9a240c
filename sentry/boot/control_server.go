package boot

import (
	"encoding/json"
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"moat/internal/log"
	"moat/internal/unet"
	"moat/sentry/abi/linux"
	"moat/sentry/control"
	"moat/sentry/kernel"
)

// ServeControl accepts control connections on listenFD (a listening
// SOCK_SEQPACKET socket) until accept fails. Each connection carries one
// request and one response (sentry/control/rpc.go); requests are served
// concurrently, so a MethodWait does not hold up a MethodSignal.
func (c *Container) ServeControl(listenFD int) error {
	c.applyLimits()
	for {
		fd, _, err := unix.Accept4(listenFD, unix.SOCK_CLOEXEC)
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil {
			return fmt.Errorf("accepting a control connection: %w", err)
		}
		conn, err := unet.NewConn(fd)
		if err != nil {
			unix.Close(fd)
			continue
		}
		go c.serveConn(conn)
	}
}

func (c *Container) serveConn(conn *unet.Conn) {
	defer conn.Close()
	buf := make([]byte, control.MaxMessage)
	n, fds, err := conn.Recv(buf, nil)
	if err != nil {
		log.Warningf("control: reading a request: %v", err)
		return
	}
	var req control.Request
	var resp *control.Response
	if err := json.Unmarshal(buf[:n], &req); err != nil {
		closeAll(fds)
		resp = &control.Response{Error: fmt.Sprintf("decoding the request: %v", err)}
	} else {
		resp = c.route(&req, fds)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(&control.Response{Error: err.Error()})
	}
	if err := conn.Send(b, nil); err != nil {
		log.Warningf("control: sending the response to %s: %v", req.Method, err)
	}
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// errResponse turns an error or errno into a response.
func errResponse(err error) *control.Response {
	r := &control.Response{Error: err.Error()}
	var errno linux.Errno
	if errors.As(err, &errno) {
		r.Errno = int(errno)
	}
	return r
}

// handle serves one request. It owns fds.
func (c *Container) handle(req *control.Request, fds []int) *control.Response {
	log.Debugf("control: %s", req.Method)
	if req.Method != control.MethodExec {
		closeAll(fds)
	}
	switch req.Method {
	case control.MethodStart:
		pid, errno, err := c.Start()
		switch {
		case err != nil:
			return errResponse(err)
		case errno != 0:
			return &control.Response{Error: fmt.Sprintf("starting container process %q: %v", c.Spec.Process.Args[0], errno), Errno: int(errno)}
		}
		return &control.Response{PID: pid}
	case control.MethodState:
		started, st := c.State()
		return &control.Response{Started: started, Status: st, Paused: c.sb.Kernel.Paused()}
	case control.MethodWait:
		st, err := c.Wait()
		if err != nil {
			return errResponse(err)
		}
		return &control.Response{Status: st}
	case control.MethodSignal:
		if req.Signal == nil {
			return &control.Response{Error: "signal: no arguments"}
		}
		if err := c.Signal(req.Signal); err != nil {
			return errResponse(err)
		}
		return &control.Response{}
	case control.MethodExec:
		return c.exec(req, fds)
	case control.MethodWaitPID:
		st, err := c.WaitPID(req.PID)
		if err != nil {
			return errResponse(err)
		}
		return &control.Response{Status: st}
	case control.MethodPs:
		return &control.Response{Processes: c.Processes()}
	case control.MethodStats:
		return &control.Response{Stats: c.stats()}
	case control.MethodPause, control.MethodResume:
		if err := c.pauseResume(req.Method); err != nil {
			return errResponse(err)
		}
		return &control.Response{}
	case control.MethodUpdate:
		if err := c.update(req.Update); err != nil {
			return errResponse(err)
		}
		return &control.Response{}
	}
	return &control.Response{Error: fmt.Sprintf("unknown method %q", req.Method)}
}

// Signal delivers a signal from the host (runsc kill): to init, to one
// process, or to every process.
func (c *Container) Signal(a *control.SignalArgs) error {
	if a.Signo < 1 || a.Signo > linux.NumSignals {
		return fmt.Errorf("invalid signal %d: %w", a.Signo, linux.EINVAL)
	}
	init := c.running()
	if init == nil {
		return fmt.Errorf("container is not running: %w", linux.ESRCH)
	}
	info := linux.NewSignalInfo(a.Signo, linux.SI_USER)
	var targets []*kernel.ThreadGroup
	switch {
	case a.All:
		targets = c.threadGroups()
	case a.PID != 0:
		tg := c.threadGroupWithPID(a.PID)
		if tg == nil {
			return fmt.Errorf("no process %d: %w", a.PID, linux.ESRCH)
		}
		targets = append(targets, tg)
	default:
		targets = append(targets, init)
	}
	for _, tg := range targets {
		if errno := tg.SendGroupSignal(info, kernel.FromHost); errno != 0 && !a.All {
			return fmt.Errorf("signalling process %d: %w", tg.PID(), errno)
		}
	}
	return nil
}

// exec starts an additional process (MethodExec) with the passed stdio.
func (c *Container) exec(req *control.Request, fds []int) *control.Response {
	if req.Exec == nil {
		closeAll(fds)
		return &control.Response{Error: "exec: no arguments"}
	}
	var p specs.Process
	if err := json.Unmarshal(req.Exec.Process, &p); err != nil {
		closeAll(fds)
		return &control.Response{Error: fmt.Sprintf("exec: decoding the process: %v", err)}
	}
	if msg := stdioMismatch(&p, req.FDs, fds); msg != "" {
		closeAll(fds)
		return &control.Response{Error: msg}
	}
	if c.running() == nil {
		closeAll(fds)
		return &control.Response{Error: "container is not running", Errno: int(linux.ESRCH)}
	}
	pa, errno, err := c.prepare(&p, fds)
	if err != nil || errno != 0 {
		if pa == nil {
			closeAll(fds)
		}
		if err != nil {
			return errResponse(err)
		}
		return &control.Response{Error: fmt.Sprintf("%s: %v", p.Args[0], errno), Errno: int(errno)}
	}
	tg, errno, err := c.sb.Kernel.StartProcess(*pa)
	switch {
	case err != nil:
		return errResponse(err)
	case errno != 0:
		return &control.Response{Error: fmt.Sprintf("%s: %v", p.Args[0], errno), Errno: int(errno)}
	}
	c.mu.Lock()
	c.execs[tg.PID()] = tg
	c.mu.Unlock()
	return &control.Response{PID: tg.PID()}
}

// WaitPID waits for a process started by exec and forgets it.
func (c *Container) WaitPID(pid int32) (*control.WaitStatus, error) {
	c.mu.Lock()
	tg := c.execs[pid]
	c.mu.Unlock()
	if tg == nil {
		return nil, fmt.Errorf("no exec'd process %d: %w", pid, linux.ESRCH)
	}
	st := tg.WaitExited()
	c.mu.Lock()
	delete(c.execs, pid)
	c.mu.Unlock()
	return waitStatus(st), nil
}
