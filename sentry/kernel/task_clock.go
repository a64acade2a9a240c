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

// StartTime returns when the task's process started (Unix nanoseconds).
func (t *Task) StartTime() int64 { return t.tg.startTime }

func nowNanos() int64 { return time.Now().UnixNano() }
