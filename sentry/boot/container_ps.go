package boot

import (
	"sort"
	"strconv"
	"strings"

	"moat/sentry/control"
	"moat/sentry/kernel"
	"moat/sentry/platform"
)

// Processes lists the sandbox's live processes (MethodPs), by PID.
func (c *Container) Processes() []control.ProcessInfo {
	var ps []control.ProcessInfo
	for _, tg := range c.threadGroups() {
		l := tg.Leader()
		if l == nil {
			continue
		}
		user, sys := cpuTime(tg)
		state := "R"
		if tg.Exiting() {
			state = "Z"
		}
		ps = append(ps, control.ProcessInfo{
			PID:   tg.PID(),
			PPID:  l.PPID(),
			UID:   uint32(l.Credentials().EffectiveKUID),
			State: state,
			STime: l.StartTime() / 1e9,
			Time:  user + sys,
			Cmd:   command(tg),
			TTY:   ttyName(tg),
			// The stub is the process's host process.
			StubPID: stubPID(tg),
		})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].PID < ps[j].PID })
	return ps
}

// command is the process's command line (its argv area, as
// /proc/PID/cmdline), or its name when that is empty.
func command(tg *kernel.ThreadGroup) string {
	l := tg.Leader()
	if l == nil {
		return ""
	}
	if m := l.MM(); m != nil {
		as, ae, _, _ := m.ArgvEnvp()
		if ae > as {
			buf := make([]byte, min(ae-as, 4096))
			n := m.CopyInPartial(as, buf)
			if s := strings.TrimSpace(strings.ReplaceAll(string(buf[:n]), "\x00", " ")); s != "" {
				return s
			}
		}
	}
	return strings.TrimSpace(l.Name())
}

// stubPID is the PID (in the sentry's PID namespace) of the host process
// behind tg's address space, or 0 if it has none.
func stubPID(tg *kernel.ThreadGroup) int32 {
	for _, t := range tg.Threads() {
		if m := t.MM(); m != nil {
			if hp, ok := m.AddressSpace().(platform.HostProcess); ok {
				return int32(hp.ProcessID())
			}
		}
	}
	return 0
}

// ttyName names tg's controlling terminal as ps does ("pts/N"), or is
// empty.
func ttyName(tg *kernel.ThreadGroup) string {
	nr, _ := tg.ControllingTerminal()
	major, minor := nr>>8&0xfff, nr&0xff|nr>>12&0xfff00
	if nr == 0 || major < 136 || major > 143 {
		return ""
	}
	return "pts/" + strconv.FormatUint(uint64(minor+(major-136)<<20), 10)
}

// cpuTime is the CPU time of tg's live and exited threads, in ns.
func cpuTime(tg *kernel.ThreadGroup) (user, sys int64) {
	user, sys = tg.ExitedThreadTimes()
	for _, t := range tg.Threads() {
		u, s := t.CPUTime()
		user += int64(u)
		sys += int64(s)
	}
	return user, sys
}

// Stats reports the sandbox's resource usage (MethodStats).
func (c *Container) Stats() *control.Stats {
	st := &control.Stats{}
	for _, tg := range c.threadGroups() {
		u, s := cpuTime(tg)
		st.CPUUser += u
		st.CPUSystem += s
		st.Pids++
	}
	// TODO(#3): memory usage from the memory accounting of mm.
	return st
}
