package kernel

import "moat/sentry/abi/linux"

// Nice returns the task's niceness (-20..19).
func (t *Task) Nice() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nice
}

// SetNice implements the niceness half of setpriority(2): the value is the
// task's; the host applies it to the stub thread when it is at or above 0
// (the sandbox's own niceness). A lower value needs CAP_SYS_NICE on the
// host, which the sandbox never holds: it is kept for the application and
// its children but gives no extra host priority.
func (t *Task) SetNice(n int) linux.Errno {
	n = min(max(n, -20), 19)
	t.mu.Lock()
	t.nice = n
	th := t.thread
	t.mu.Unlock()
	if th != nil {
		th.SetNice(max(n, 0))
	}
	return 0
}
