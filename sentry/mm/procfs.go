package mm

import (
	"fmt"
	"strings"
)

// Maps renders the address space in the format of /proc/PID/maps.
func (mm *MemoryManager) Maps() string {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	var b strings.Builder
	for _, v := range mm.vmas {
		if v.name == "[stub]" {
			// The stub is the platform's, not the application's.
			continue
		}
		perm := []byte("---p")
		if v.prot&1 != 0 {
			perm[0] = 'r'
		}
		if v.prot&2 != 0 {
			perm[1] = 'w'
		}
		if v.prot&4 != 0 {
			perm[2] = 'x'
		}
		if v.shared {
			perm[3] = 's'
		}
		var off int64
		if v.file {
			off = v.offset
		}
		line := fmt.Sprintf("%08x-%08x %s %08x %02x:%02x %d", v.start, v.end, perm, off, v.dev>>8&0xfff, v.dev&0xff, v.ino)
		if v.name != "" {
			line = fmt.Sprintf("%-73s%s", line+" ", v.name)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// VirtualSize returns the total size of application mappings in bytes.
func (mm *MemoryManager) VirtualSize() uint64 {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	var n uint64
	for _, v := range mm.vmas {
		if v.name != "[stub]" {
			n += uint64(v.end - v.start)
		}
	}
	return n
}
