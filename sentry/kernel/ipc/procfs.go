package ipc

import (
	"fmt"
	"strings"

	"moat/sentry/arch"
)

// ProcShm renders /proc/sysvipc/shm.
// viewer is the reader (nil: the root PID namespace), whose PID
// namespace numbers the processes.
func (ns *Namespace) ProcShm(viewer Context) string {
	r := &ns.shm
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n")
	for _, s := range r.sorted() {
		fmt.Fprintf(&b, "%10d %10d  %4o %21d %5d %5d  %5d %5d %5d %5d %5d %10d %10d %10d %21d %21d\n",
			s.Key, s.ID, s.Mode, s.size, pidOf(s.cpid, viewer), pidOf(s.lpid, viewer), s.nattch, s.UID, s.GID, s.CUID, s.CGID,
			s.atime, s.dtime, s.ctime, s.residentPages()*arch.PageSize, 0)
	}
	return b.String()
}

// ProcSem renders /proc/sysvipc/sem.
func (ns *Namespace) ProcSem(viewer Context) string {
	r := &ns.sem
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n")
	for _, s := range r.sorted() {
		fmt.Fprintf(&b, "%10d %10d  %4o %10d %5d %5d %5d %5d %10d %10d\n",
			s.Key, s.ID, s.Mode, len(s.sems), s.UID, s.GID, s.CUID, s.CGID, s.otime(), s.ctime)
	}
	return b.String()
}

// ProcMsg renders /proc/sysvipc/msg.
func (ns *Namespace) ProcMsg(viewer Context) string {
	r := &ns.msg
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n")
	for _, q := range r.sorted() {
		fmt.Fprintf(&b, "%10d %10d  %4o  %10d %10d %5d %5d %5d %5d %5d %5d %10d %10d %10d\n",
			q.Key, q.ID, q.Mode, q.cbytes, len(q.msgs), pidOf(q.lspid, viewer), pidOf(q.lrpid, viewer), q.UID, q.GID, q.CUID, q.CGID,
			q.stime, q.rtime, q.ctime)
	}
	return b.String()
}
