package proc

import (
	"fmt"
	"strings"

	"moat/sentry/abi/linux"
	"moat/sentry/kernel"
	"moat/sentry/mm"
	"moat/sentry/vfs"
)

func genSmapsRollup(ctx vfs.Context, t *kernel.Task) ([]byte, linux.Errno) {
	if err := mayAccessTask(ctx, t); err != 0 {
		return nil, err
	}
	m := t.MM()
	if m == nil {
		return nil, 0
	}
	return formatSmapsRollup(m.Usage()), 0
}

// formatSmapsRollup renders /proc/PID/smaps_rollup from the memory
// manager's accounting. The sentry does not see which pages are shared
// with other processes, so proportional sizes equal resident ones and
// file pages count as clean, anonymous ones as dirty.
func formatSmapsRollup(u mm.Usage) []byte {
	var b strings.Builder
	head := fmt.Sprintf("%08x-%08x ---p 00000000 00:00 0", u.Start, u.End)
	fmt.Fprintf(&b, "%-73s[rollup]\n", head+" ")
	dirty := u.RssAnon + u.RssShmem
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"Rss", u.Resident}, {"Pss", u.Resident}, {"Pss_Dirty", dirty},
		{"Pss_Anon", u.RssAnon}, {"Pss_File", u.RssFile}, {"Pss_Shmem", u.RssShmem},
		{"Shared_Clean", 0}, {"Shared_Dirty", 0}, {"Private_Clean", u.RssFile}, {"Private_Dirty", dirty},
		{"Referenced", u.Resident}, {"Anonymous", u.RssAnon}, {"KSM", 0}, {"LazyFree", 0},
		{"AnonHugePages", 0}, {"ShmemPmdMapped", 0}, {"FilePmdMapped", 0},
		{"Shared_Hugetlb", 0}, {"Private_Hugetlb", 0}, {"Swap", 0}, {"SwapPss", 0}, {"Locked", 0},
	} {
		fmt.Fprintf(&b, "%-16s%8d kB\n", f.name+":", f.v/1024)
	}
	return []byte(b.String())
}
