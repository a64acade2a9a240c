package mm

// Usage is the memory accounting /proc/PID/status, stat and statm report.
// All sizes are in bytes.
type Usage struct {
	// VirtualSize is the size of every application mapping (VmSize).
	VirtualSize uint64
	// Resident estimates the resident set (VmRSS). The sentry does not see
	// the host's page tables, so it counts accessible mappings: private
	// anonymous memory that is writable, and file mappings. It is an upper
	// bound of what the host would report.
	Resident uint64
	// RssAnon, RssFile and RssShmem split Resident.
	RssAnon, RssFile, RssShmem uint64
	// Data is private writable memory other than stacks (VmData); Stack is
	// the main stack and other grows-down mappings (VmStk).
	Data, Stack uint64
	// Exe is the executable mappings of the program (VmExe); Lib those of
	// other files (VmLib).
	Exe, Lib uint64
	// StartCode and EndCode bound the program's executable mapping.
	StartCode, EndCode uintptr
	// StartBrk and Brk bound the heap; StartStack is the stack top.
	StartBrk, Brk, StartStack uintptr
	// Start and End bound all application mappings (0 if none).
	Start, End uintptr
}

// Usage returns the memory accounting of the address space.
func (mm *MemoryManager) Usage() Usage {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	u := Usage{StartBrk: mm.brkStart, Brk: mm.brk, StartStack: mm.stackTop}
	for _, v := range mm.vmas {
		if v.reserved && v.name == "[stub]" {
			continue
		}
		size := uint64(v.end - v.start)
		u.VirtualSize += size
		if u.Start == 0 {
			u.Start = v.start
		}
		u.End = v.end
		isStack := v.growsDown || (v.start < mm.stackTop && mm.stackTop <= v.end)
		switch {
		case isStack:
			u.Stack += size
		case v.prot&2 != 0 && !v.shared:
			u.Data += size
		}
		if v.file && v.prot&4 != 0 {
			if v.name == mm.executable && u.StartCode == 0 {
				u.StartCode, u.EndCode = v.start, v.end
				u.Exe += size
			} else if v.name == mm.executable {
				u.Exe += size
			} else {
				u.Lib += size
			}
		}
		if v.prot == 0 || v.reserved {
			continue
		}
		switch {
		case v.file && v.shared:
			u.RssShmem += size
		case v.file:
			u.RssFile += size
		case v.shared:
			u.RssShmem += size
		case v.prot&2 != 0:
			u.RssAnon += size
		}
	}
	u.Resident = u.RssAnon + u.RssFile + u.RssShmem
	return u
}
