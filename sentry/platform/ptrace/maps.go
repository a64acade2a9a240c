package ptrace

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"moat/sentry/platform"
)

// readMaps parses /proc/PID/maps of a freshly started stub.
func readMaps(pid int) ([]platform.Mapping, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, fmt.Errorf("reading stub maps: %w", err)
	}
	defer f.Close()
	var ms []platform.Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		se := strings.SplitN(fields[0], "-", 2)
		start, err1 := strconv.ParseUint(se[0], 16, 64)
		end, err2 := strconv.ParseUint(se[1], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad maps line %q", sc.Text())
		}
		m := platform.Mapping{Range: platform.Range{Start: uintptr(start), End: uintptr(end)}}
		if len(fields) >= 6 {
			m.Name = fields[5]
		}
		if m.Name == "" || strings.HasPrefix(m.Name, "/") {
			m.Name = "[stub]"
		}
		perms := fields[1]
		if perms[0] == 'r' {
			m.Prot |= 1
		}
		if perms[1] == 'w' {
			m.Prot |= 2
		}
		if perms[2] == 'x' {
			m.Prot |= 4
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}
