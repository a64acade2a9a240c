// Package integration drives the real runsc binary: lifecycle, exit codes,
// cleanup after failures, logging flags.
package integration

import (
	"testing"

	"moat/tests/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }
