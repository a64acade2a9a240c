package kernel

import (
	"fmt"
	"runtime"
	"time"

	"moat/sentry/abi/linux"
)

// StartProcess starts an additional process in a running sandbox, as
// `runsc exec` does. Like a process that enters a PID namespace from
// outside with setns(2), it has no parent inside the sandbox: getppid(2)
// returns 0, no process gets SIGCHLD when it ends, and nothing in the
// sandbox can wait(2) for it. Its exit status is collected (and the zombie
// reaped) by WaitExited, which the control server calls for `runsc exec`.
// Its own children are reparented to init when it exits, like any
// orphan's.
//
// It returns the exec error (ENOENT, EACCES, ENOEXEC, ...) if the program
// cannot be started, and an error when the sandbox's init has exited or
// not started yet.
func (k *Kernel) StartProcess(a ProcessArgs) (*ThreadGroup, linux.Errno, error) {
	k.mu.Lock()
	if k.init == nil || k.init.zombie || k.init.isExiting() {
		k.mu.Unlock()
		return nil, 0, fmt.Errorf("the sandbox's init process is not running")
	}
	t := &Task{k: k, fdTable: a.FDTable, fsContext: a.FSContext, pidns: a.PIDNamespace, ipcns: a.IPCNamespace, wake: make(chan struct{}, 1)}
	t.creds.Store(a.Creds)
	t.tid = k.newTIDLocked(t)
	tg := k.newThreadGroupLocked(t, nil, 0)
	t.PIDNamespace().setInitLocked(tg)
	tg.container = a.Container
	tg.limits = a.Limits
	tg.startTime = time.Now().UnixNano()
	k.tasks[t.tid] = t
	k.fdUsers[t.fdTable]++
	k.fsUsers[t.fsContext]++
	k.mu.Unlock()
	tg.attachStartTerminal(a.Terminal)

	started := make(chan linux.Errno, 1)
	go func() {
		runtime.LockOSThread()
		errno := t.exec(a.Filename, a.Argv, a.Envv)
		started <- errno
		if errno != 0 {
			t.tg.exitGroup(ExitStatus{Code: 127})
			t.exit()
			return
		}
		t.run()
	}()
	if errno := <-started; errno != 0 {
		tg.WaitExited()
		return nil, errno, nil
	}
	return tg, 0, nil
}

// waitExitedPoll is how often WaitExited looks at a process that has not
// exited yet.
const waitExitedPoll = 10 * time.Millisecond

// WaitExited blocks until every thread of tg, a process started by
// StartProcess, has exited, reaps it and returns its status. Calling it
// again returns the same status.
//
// TODO(#3): wake the waiter from exit instead of polling (the thread
// group has no exit notification of its own yet; its parent's childEvents
// play that role for ordinary children).
func (tg *ThreadGroup) WaitExited() ExitStatus {
	k := tg.k
	for {
		k.mu.Lock()
		if tg.zombie {
			if tg.parent == nil && k.threadGroups[tg.pid] == tg {
				delete(k.threadGroups, tg.pid)
			}
			k.mu.Unlock()
			tg.mu.Lock()
			st := tg.status
			tg.mu.Unlock()
			return st
		}
		k.mu.Unlock()
		time.Sleep(waitExitedPoll)
	}
}

// Init returns the sandbox's first process, or nil before StartInit.
func (k *Kernel) Init() *ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.init
}
