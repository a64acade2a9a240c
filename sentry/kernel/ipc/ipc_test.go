package ipc

import (
	"testing"
	"time"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
)

// fakeCtx is a caller that never blocks.
type fakeCtx struct {
	creds *auth.Credentials
	pid   int32
}

func (c *fakeCtx) Credentials() *auth.Credentials { return c.creds }
func (c *fakeCtx) IPCProcess() Process            { return fakeProc(c.pid) }
func (c *fakeCtx) BlockUntil(ch <-chan struct{}, _ time.Time) (bool, bool) {
	select {
	case <-ch:
		return false, false
	default:
		return true, false
	}
}
func (c *fakeCtx) CopyIn(uintptr, []byte) linux.Errno  { return linux.EFAULT }
func (c *fakeCtx) CopyOut(uintptr, []byte) linux.Errno { return linux.EFAULT }

// fakeProc is a process with one PID for every reader.
type fakeProc int32

func (p fakeProc) PIDSeenBy(Context) int32 { return int32(p) }

func root() *fakeCtx { return &fakeCtx{creds: auth.NewRoot(), pid: 1} }

func TestIdentifiers(t *testing.T) {
	ns, c := NewNamespace(), root()
	var ids []int32
	for range 3 {
		id, errno := ns.Msgget(c, linux.IPC_PRIVATE, 0o600)
		if errno != 0 {
			t.Fatal(errno)
		}
		ids = append(ids, id)
	}
	if ids[0] != 0 || ids[1] != 1 || ids[2] != 2 {
		t.Fatalf("fresh namespace ids = %v, want 0 1 2", ids)
	}
	if _, _, errno := ns.Msgctl(c, 1, linux.IPC_RMID, nil); errno != 0 {
		t.Fatal(errno)
	}
	id, _ := ns.Msgget(c, linux.IPC_PRIVATE, 0o600)
	if id != 1<<ipcmniShift+1 {
		t.Errorf("reused index 1: id %d, want %d", id, 1<<ipcmniShift+1)
	}
	if _, _, errno := ns.Msgctl(c, 1, linux.IPC_STAT, nil); errno != linux.EINVAL {
		t.Errorf("stale id: %v, want EINVAL", errno)
	}
	id, _ = ns.Msgget(c, linux.IPC_PRIVATE, 0o600)
	if id != 1<<ipcmniShift+3 {
		t.Errorf("next new index: id %d, want %d", id, 1<<ipcmniShift+3)
	}
}

func TestKeys(t *testing.T) {
	ns, c := NewNamespace(), root()
	id, errno := ns.Semget(c, 42, 2, linux.IPC_CREAT|linux.IPC_EXCL|0o640)
	if errno != 0 {
		t.Fatal(errno)
	}
	for _, tc := range []struct {
		name  string
		key   int32
		nsems int
		flags int
		want  linux.Errno
	}{
		{"existing", 42, 0, 0, 0},
		{"IPC_CREAT finds", 42, 2, linux.IPC_CREAT, 0},
		{"IPC_EXCL", 42, 1, linux.IPC_CREAT | linux.IPC_EXCL, linux.EEXIST},
		{"more semaphores", 42, 3, 0, linux.EINVAL},
		{"missing", 43, 1, 0, linux.ENOENT},
		{"none for a new set", 44, 0, linux.IPC_CREAT, linux.EINVAL},
		{"past SEMMSL", 45, defaultSemMsl + 1, linux.IPC_CREAT, linux.EINVAL},
	} {
		got, errno := ns.Semget(c, tc.key, tc.nsems, tc.flags)
		if errno != tc.want || (errno == 0 && got != id) {
			t.Errorf("%s: got %d, %v; want %v", tc.name, got, errno, tc.want)
		}
	}
}

func TestPermissions(t *testing.T) {
	p := Perm{UID: 10, CUID: 11, GID: 20, CGID: 21, Mode: 0o640}
	user := func(uid auth.KUID, gid auth.KGID) *auth.Credentials { return auth.NewUser(uid, gid, nil) }
	for _, tc := range []struct {
		name  string
		c     *auth.Credentials
		flag  int
		allow bool
	}{
		{"owner writes", user(10, 99), mayWrite, true},
		{"creator writes", user(11, 99), mayWrite, true},
		{"group reads", user(30, 20), mayRead, true},
		{"creator group reads", user(30, 21), mayRead, true},
		{"group cannot write", user(30, 20), mayWrite, false},
		{"others cannot read", user(30, 30), mayRead, false},
		{"nothing asked", user(30, 30), 0, true},
		{"CAP_IPC_OWNER", auth.NewRoot(), mayWrite | mayRead, true},
	} {
		if got := p.allowed(tc.c, tc.flag); got != tc.allow {
			t.Errorf("%s: allowed = %v, want %v", tc.name, got, tc.allow)
		}
	}
	if p.owns(user(30, 20)) || !p.owns(user(11, 0)) || !p.owns(auth.NewRoot()) {
		t.Error("owns: only the owner, the creator and CAP_SYS_ADMIN")
	}
}

func TestMessageSelection(t *testing.T) {
	ns, c := NewNamespace(), root()
	id, _ := ns.Msgget(c, linux.IPC_PRIVATE, 0o600)
	for _, m := range []struct {
		typ  int64
		text string
	}{{3, "c"}, {1, "a"}, {2, "b"}, {1, "a2"}, {5, "e"}} {
		if errno := ns.Msgsnd(c, id, m.typ, []byte(m.text), 0); errno != 0 {
			t.Fatal(errno)
		}
	}
	for _, tc := range []struct {
		typ   int64
		flags int
		want  string
	}{
		{0, 0, "c"}, {1, 0, "a"}, {-2, 0, "a2"}, {2, linux.MSG_EXCEPT, "e"}, {2, 0, "b"},
	} {
		_, text, errno := ns.Msgrcv(c, id, 100, tc.typ, tc.flags|linux.IPC_NOWAIT)
		if errno != 0 || string(text) != tc.want {
			t.Errorf("type %d flags %#x: got %q, %v; want %q", tc.typ, tc.flags, text, errno, tc.want)
		}
	}
	if _, _, errno := ns.Msgrcv(c, id, 100, 0, linux.IPC_NOWAIT); errno != linux.ENOMSG {
		t.Errorf("empty queue: %v, want ENOMSG", errno)
	}
}

func TestSemUndo(t *testing.T) {
	ns, c := NewNamespace(), root()
	id, _ := ns.Semget(c, linux.IPC_PRIVATE, 1, 0o600)
	l := NewUndoList()
	l.IncRef() // a thread sharing it
	ops := []linux.Sembuf{{Num: 0, Op: 3, Flg: linux.SEM_UNDO}}
	if errno := ns.Semtimedop(c, id, ops, time.Time{}, l); errno != 0 {
		t.Fatal(errno)
	}
	val := func() int32 { v, _ := ns.Semctl(c, id, 0, linux.GETVAL, 0); return v }
	l.DecRef(fakeProc(2))
	if val() != 3 {
		t.Errorf("after one of two users: %d, want 3", val())
	}
	l.DecRef(fakeProc(2))
	if val() != 0 {
		t.Errorf("after the last user: %d, want 0", val())
	}
	if pid, _ := ns.Semctl(c, id, 0, linux.GETPID, 0); pid != 2 {
		t.Errorf("GETPID after undo: %d, want 2", pid)
	}
}

func TestSysctls(t *testing.T) {
	ns := NewNamespace()
	if s, _ := ns.Sysctl("sem"); s != "32000\t1024000000\t500\t32000\n" {
		t.Errorf("sem = %q", s)
	}
	for _, tc := range []struct {
		name, value string
		want        linux.Errno
	}{
		{"shmmax", "4096", 0}, {"sem", "250 32000 32 128", 0}, {"sem", "1 2 3", linux.EINVAL},
		{"msgmni", "40000", linux.EINVAL}, {"msgmax", "x", linux.EINVAL}, {"other", "1", linux.ENOENT},
	} {
		if got := ns.SetSysctl(tc.name, tc.value); got != tc.want {
			t.Errorf("SetSysctl(%s, %q) = %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
	if s, _ := ns.Sysctl("shmmax"); s != "4096\n" {
		t.Errorf("shmmax = %q", s)
	}
	if _, errno := ns.Shmget(root(), linux.IPC_PRIVATE, 8192, 0o600); errno != linux.EINVAL {
		t.Errorf("shmget past the new shmmax: %v, want EINVAL", errno)
	}
	if n := ns.SemOpMax(); n != 32 {
		t.Errorf("SEMOPM = %d, want 32", n)
	}
}

// waitingCtx blocks until the channel is closed (no signals).
type waitingCtx struct{ fakeCtx }

func (c *waitingCtx) BlockUntil(ch <-chan struct{}, _ time.Time) (bool, bool) {
	<-ch
	return false, false
}

// TestPipelinedReceive: a message goes to the oldest blocked receiver that
// wants it; one whose buffer is too small gets E2BIG and the message is
// queued.
func TestPipelinedReceive(t *testing.T) {
	ns, c := NewNamespace(), root()
	id, _ := ns.Msgget(c, linux.IPC_PRIVATE, 0o600)
	type result struct {
		who  int
		text string
		err  linux.Errno
	}
	results := make(chan result, 3)
	receivers := func() int {
		ns.msg.mu.Lock()
		defer ns.msg.mu.Unlock()
		q, _ := ns.msg.byID(id)
		return len(q.receivers)
	}
	for who, size := range []int{100, 100, 2} {
		go func() {
			w := &waitingCtx{fakeCtx{creds: auth.NewRoot(), pid: int32(10 + who)}}
			_, text, errno := ns.Msgrcv(w, id, size, 0, 0)
			results <- result{who, string(text), errno}
		}()
		for receivers() != who+1 {
			time.Sleep(time.Millisecond)
		}
	}
	for _, m := range []string{"first", "second"} {
		if errno := ns.Msgsnd(c, id, 1, []byte(m), 0); errno != 0 {
			t.Fatal(errno)
		}
	}
	got := map[int]result{}
	for range 2 {
		r := <-results
		got[r.who] = r
	}
	if got[0].text != "first" || got[1].text != "second" {
		t.Errorf("receivers in order: %+v", got)
	}
	if errno := ns.Msgsnd(c, id, 1, []byte("third"), 0); errno != 0 {
		t.Fatal(errno)
	}
	if r := <-results; r.who != 2 || r.err != linux.E2BIG {
		t.Errorf("small buffer: %+v, want E2BIG", r)
	}
	if _, text, errno := ns.Msgrcv(c, id, 100, 0, linux.IPC_NOWAIT); errno != 0 || string(text) != "third" {
		t.Errorf("the refused message is queued: %q, %v", text, errno)
	}
}
