package syscalls

import (
	"fmt"
	"strings"

	"moat/sentry/kernel"
)

//go:generate sh -c "cd ../.. && CGO_ENABLED=0 go run ./runsc help syscalls > docs/syscalls.md"

// Markdown renders the syscall table as docs/syscalls.md.
func Markdown() string {
	st := Table()
	var b strings.Builder
	counts := map[kernel.SupportLevel]int{}
	for _, e := range st.Entries {
		if e.Name != "" {
			counts[e.Support]++
		}
	}
	b.WriteString("# System calls (x86-64)\n\n")
	b.WriteString("Generated from `sentry/syscalls/table.go` by `go generate ./sentry/syscalls`\n")
	b.WriteString("(`runsc help syscalls` prints the same). Every syscall not listed as\n")
	b.WriteString("Full or Partial returns the errno shown (ENOSYS unless noted) and is\n")
	b.WriteString("logged once by name.\n\n")
	fmt.Fprintf(&b, "Full: %d, Partial: %d, Unsupported: %d.\n\n",
		counts[kernel.FullSupport], counts[kernel.PartialSupport], counts[kernel.Unsupported])
	b.WriteString("| # | name | support | note |\n|---|---|---|---|\n")
	for nr, e := range st.Entries {
		if e.Name == "" {
			continue
		}
		note := e.Note
		if e.Support == kernel.Unsupported && e.Errno != 0 && e.Errno.Name() != "ENOSYS" {
			note = strings.TrimSpace("returns " + e.Errno.Name() + ". " + note)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", nr, e.Name, e.Support, note)
	}
	return b.String()
}
