package proc

import (
	"fmt"
	"strings"

	"moat/sentry/kernel"
	"moat/sentry/mm"
)

// This file renders the files of a task from plain values.

// pageSize is the unit of statm and of rss in stat.
const pageSize = 4096

// statusInfo is the content of /proc/PID/status.
type statusInfo struct {
	Name       string
	Umask      uint32
	State      string
	Tgid, Pid  int32
	PPid       int32
	Pgid, Sid  int32
	UID, GID   [4]uint32 // real, effective, saved, filesystem
	FDSize     int
	Groups     []uint32
	Mem        mm.Usage
	Threads    int
	SigQLimit  uint64
	SigPnd     uint64
	ShdPnd     uint64
	SigBlk     uint64
	SigIgn     uint64
	SigCgt     uint64
	CapInh     uint64
	CapPrm     uint64
	CapEff     uint64
	CapBnd     uint64
	CapAmb     uint64
	NoNewPrivs bool
	CPUs       int
}

// formatStatus renders /proc/PID/status in the layout of Linux 6.x.
func formatStatus(s *statusInfo) []byte {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("Name:\t%s\n", escapeComm(s.Name))
	p("Umask:\t%04o\n", s.Umask)
	p("State:\t%s\n", s.State)
	p("Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", s.Tgid, s.Pid, s.PPid)
	p("Uid:\t%d\t%d\t%d\t%d\n", s.UID[0], s.UID[1], s.UID[2], s.UID[3])
	p("Gid:\t%d\t%d\t%d\t%d\n", s.GID[0], s.GID[1], s.GID[2], s.GID[3])
	p("FDSize:\t%d\n", s.FDSize)
	b.WriteString("Groups:\t")
	for i, g := range s.Groups {
		if i > 0 {
			b.WriteByte(' ')
		}
		p("%d", g)
	}
	b.WriteString(" \n")
	p("NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", s.Tgid, s.Pid, s.Pgid, s.Sid)
	kb := func(name string, v uint64) { p("%s:\t%8d kB\n", name, v/1024) }
	m := &s.Mem
	kb("VmPeak", m.VirtualSize)
	kb("VmSize", m.VirtualSize)
	kb("VmLck", 0)
	kb("VmPin", 0)
	kb("VmHWM", m.Resident)
	kb("VmRSS", m.Resident)
	kb("RssAnon", m.RssAnon)
	kb("RssFile", m.RssFile)
	kb("RssShmem", m.RssShmem)
	kb("VmData", m.Data)
	kb("VmStk", m.Stack)
	kb("VmExe", m.Exe)
	kb("VmLib", m.Lib)
	kb("VmPTE", 0)
	kb("VmSwap", 0)
	kb("HugetlbPages", 0)
	p("CoreDumping:\t0\nTHP_enabled:\t1\n")
	p("Threads:\t%d\n", s.Threads)
	p("SigQ:\t0/%d\n", s.SigQLimit)
	p("SigPnd:\t%016x\nShdPnd:\t%016x\n", s.SigPnd, s.ShdPnd)
	p("SigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n", s.SigBlk, s.SigIgn, s.SigCgt)
	p("CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
		s.CapInh, s.CapPrm, s.CapEff, s.CapBnd, s.CapAmb)
	nnp := 0
	if s.NoNewPrivs {
		nnp = 1
	}
	p("NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", nnp)
	p("Cpus_allowed:\t%s\nCpus_allowed_list:\t%s\n", cpuMask(s.CPUs), cpuList(s.CPUs))
	p("Mems_allowed:\t1\nMems_allowed_list:\t0\n")
	p("voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n")
	return []byte(b.String())
}

// escapeComm escapes a command name for status, as Linux does for
// newlines and backslashes.
func escapeComm(s string) string {
	return strings.NewReplacer("\\", "\\\\", "\n", "\\n").Replace(s)
}

// cpuMask renders a mask of CPUs 0..n-1 as Linux's %*pb does: hex, in
// comma-separated groups of 32 bits.
func cpuMask(n int) string {
	n = max(n, 1)
	digits := (n + 3) / 4
	hex := make([]byte, digits)
	for i := range hex {
		// Digit i from the right covers CPUs 4i..4i+3.
		bits := min(n-4*i, 4)
		hex[digits-1-i] = "0123456789abcdef"[(1<<bits)-1]
	}
	var b strings.Builder
	for i, c := range hex {
		if i > 0 && (digits-i)%8 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// cpuList renders CPUs 0..n-1 as a range list.
func cpuList(n int) string {
	if n <= 1 {
		return "0"
	}
	return fmt.Sprintf("0-%d", n-1)
}

// statInfo is the content of /proc/PID/stat.
type statInfo struct {
	PID        int32
	Comm       string
	State      byte
	PPID       int32
	PGRP, SID  int32
	UTime      uint64 // clock ticks
	STime      uint64
	CUTime     uint64 // reaped children, clock ticks
	CSTime     uint64
	Threads    int
	StartTime  uint64 // clock ticks after boot
	Mem        mm.Usage
	RSSLimit   uint64
	Pending    uint64
	Blocked    uint64
	Ignored    uint64
	Caught     uint64
	ArgStart   uintptr
	ArgEnd     uintptr
	EnvStart   uintptr
	EnvEnd     uintptr
	ExitSignal int
}

// formatStat renders /proc/PID/stat (52 fields).
func formatStat(s *statInfo) []byte {
	m := &s.Mem
	return []byte(fmt.Sprintf("%d (%s) %c %d %d %d 0 -1 %d 0 0 0 0 %d %d %d %d 20 0 %d 0 %d %d %d %d "+
		"%d %d %d 0 0 %d %d %d %d 0 0 0 %d 0 0 0 0 0 0 0 0 %d %d %d %d %d 0\n",
		s.PID, s.Comm, s.State, s.PPID, s.PGRP, s.SID,
		0x400000, // PF_RANDOMIZE
		s.UTime, s.STime, s.CUTime, s.CSTime, s.Threads, s.StartTime,
		m.VirtualSize, m.Resident/pageSize, s.RSSLimit,
		m.StartCode, m.EndCode, m.StartStack,
		s.Pending, s.Blocked, s.Ignored, s.Caught, s.ExitSignal,
		m.StartBrk, s.ArgStart, s.ArgEnd, s.EnvStart, s.EnvEnd))
}

// formatStatm renders /proc/PID/statm, in pages.
func formatStatm(u mm.Usage) []byte {
	return []byte(fmt.Sprintf("%d %d %d %d 0 %d 0\n", u.VirtualSize/pageSize, u.Resident/pageSize,
		(u.RssFile+u.RssShmem)/pageSize, u.Exe/pageSize, (u.Data+u.Stack)/pageSize))
}

// limitNames are the names and units of /proc/PID/limits, by RLIMIT_*.
var limitNames = [kernel.NumLimits][2]string{
	{"Max cpu time", "seconds"},
	{"Max file size", "bytes"},
	{"Max data size", "bytes"},
	{"Max stack size", "bytes"},
	{"Max core file size", "bytes"},
	{"Max resident set", "bytes"},
	{"Max processes", "processes"},
	{"Max open files", "files"},
	{"Max locked memory", "bytes"},
	{"Max address space", "bytes"},
	{"Max file locks", "locks"},
	{"Max pending signals", "signals"},
	{"Max msgqueue size", "bytes"},
	{"Max nice priority", ""},
	{"Max realtime priority", ""},
	{"Max realtime timeout", "us"},
}

// formatLimits renders /proc/PID/limits.
func formatLimits(l kernel.Limits) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	val := func(v uint64) string {
		if v == kernel.Infinity {
			return "unlimited"
		}
		return fmt.Sprint(v)
	}
	for i, n := range limitNames {
		fmt.Fprintf(&b, "%-25s %-20s %-20s ", n[0], val(l[i].Cur), val(l[i].Max))
		if n[1] != "" {
			fmt.Fprintf(&b, "%-10s", n[1])
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// fdInfo is the content of /proc/PID/fdinfo/N.
type fdInfo struct {
	Pos   int64
	Flags uint32
	MntID uint64
	Ino   uint64
}

// formatFDInfo renders /proc/PID/fdinfo/N.
func formatFDInfo(i fdInfo) []byte {
	return []byte(fmt.Sprintf("pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", i.Pos, i.Flags, i.MntID, i.Ino))
}
