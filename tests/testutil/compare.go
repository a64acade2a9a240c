package testutil

import (
	"fmt"
	"strings"
	"testing"
)

// Diff describes how got differs from want line by line: each differing
// line with its number, at most 12 of them, then how many lines each
// side has. It returns "" when they are equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := lines(want), lines(got)
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		switch {
		case i < len(w) && i < len(g) && w[i] == g[i]:
			continue
		case shown == 12:
			b.WriteString("  ...\n")
		case i >= len(g):
			fmt.Fprintf(&b, "  line %d: want %q, got nothing\n", i+1, w[i])
		case i >= len(w):
			fmt.Fprintf(&b, "  line %d: want nothing, got %q\n", i+1, g[i])
		default:
			fmt.Fprintf(&b, "  line %d: want %q, got %q\n", i+1, w[i], g[i])
		}
		if shown++; shown > 12 {
			break
		}
	}
	fmt.Fprintf(&b, "  (want %d lines, got %d", len(w), len(g))
	if strings.HasSuffix(want, "\n") != strings.HasSuffix(got, "\n") {
		b.WriteString("; only one ends with a newline")
	}
	b.WriteString(")\n")
	return b.String()
}

// lines splits s into lines without the final newline's empty tail.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// CompareResults fails t unless the sandboxed result has the same stdout,
// stderr and exit code as the native one.
func CompareResults(t testing.TB, native, sandboxed Result) {
	t.Helper()
	if sandboxed.TimedOut {
		t.Errorf("sandboxed run timed out:\n%s", sandboxed)
		return
	}
	if d := Diff(native.Stdout, sandboxed.Stdout); d != "" {
		t.Errorf("stdout differs (want native, got sandbox):\n%s", d)
	}
	if d := Diff(native.Stderr, sandboxed.Stderr); d != "" {
		t.Errorf("stderr differs (want native, got sandbox):\n%s", d)
	}
	if native.ExitCode != sandboxed.ExitCode {
		t.Errorf("exit code: native %d, sandbox %d", native.ExitCode, sandboxed.ExitCode)
	}
	if t.Failed() {
		t.Logf("native:\n%s\nsandbox:\n%s", native, sandboxed)
	}
}

// SandboxOrSkip returns the sandbox, or ends the test: with t.Skip
// carrying the reason, or with t.Fatal when RequireSandbox() is set.
func SandboxOrSkip(t testing.TB) *Sandbox {
	t.Helper()
	sb, reason := SandboxOrReason()
	if sb == nil {
		if RequireSandbox() {
			t.Fatalf("sandbox half required (MOAT_REQUIRE_SANDBOX=1) but unavailable: %s", reason)
		}
		t.Skipf("native half passed; sandbox half skipped: %s", reason)
	}
	return sb
}
