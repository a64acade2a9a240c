package kernel

import "time"

// cpuTimer is implemented by platform threads that can report the CPU time
// their host thread spent in application code.
type cpuTimer interface {
	CPUTime() (user, sys time.Duration)
}

// CPUTime returns the user and system time the task has used.
func (t *Task) CPUTime() (user, sys time.Duration) {
	if ct, ok := t.thread.(cpuTimer); ok {
		return ct.CPUTime()
	}
	return 0, 0
}

// threadCPUTimer is implemented by platform threads that can report the
// CPU time of their host thread alone.
type threadCPUTimer interface {
	ThreadCPUTime() (time.Duration, error)
}

// ThreadCPUTime returns the CPU time of this thread alone
// (CLOCK_THREAD_CPUTIME_ID); ok is false if the platform cannot tell.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) ThreadCPUTime() (d time.Duration, ok bool) {
	ct, isCT := t.thread.(threadCPUTimer)
	if !isCT {
		return 0, false
	}
	d, err := ct.ThreadCPUTime()
	return d, err == nil
}

// StartTime returns when the task's process started (Unix nanoseconds).
func (t *Task) StartTime() int64 { return t.tg.startTime }

func nowNanos() int64 { return time.Now().UnixNano() }
