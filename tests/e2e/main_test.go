// Package e2e holds Moat's end-to-end tests: real daemons (containerd 1.6
// from Debian and a Go-built containerd 2.x here; Docker and CRI in their
// own files) running containers through containerd-shim-runsc-v1 and
// runsc. Run with `make e2e`; MOAT_REQUIRE_E2E=1 turns a missing daemon
// into a failure instead of a skip. Helpers live in e2eutil.
package e2e

import (
	"testing"

	"moat/tests/testutil"
)

// TestMain makes the test process a subreaper (shims, sandboxes and
// gofers whose parents die are re-parented here and reaped at the end).
func TestMain(m *testing.M) {
	testutil.Main(m)
}
