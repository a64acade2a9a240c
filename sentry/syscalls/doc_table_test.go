package syscalls

import (
	"os"
	"testing"
)

// TestDocsCurrent keeps docs/syscalls.md in step with the table.
func TestDocsCurrent(t *testing.T) {
	got, err := os.ReadFile("../../docs/syscalls.md")
	if err != nil {
		t.Fatalf("reading docs/syscalls.md: %v (run go generate ./sentry/syscalls)", err)
	}
	if string(got) != Markdown() {
		t.Fatal("docs/syscalls.md is stale: run go generate ./sentry/syscalls")
	}
}
