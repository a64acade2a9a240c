package testutil

import (
	"fmt"
	"strings"
	"testing"
)

// Diff describes how got differs from want line by line: every differing
// line with its number, at most 20 of them. It returns "" when they are
// equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		wok, gok := i < len(w), i < len(g)
		if wok {
			wl = w[i]
		}
		if gok {
			gl = g[i]
		}
		if wok && gok && wl == gl {
			continue
		}
		if shown == 20 {
			b.WriteString("  ...\n")
			break
		}
		shown++
		switch {
		case !gok:
			fmt.Fprintf(&b, "  line %d: want %q, got nothing\n", i+1, wl)
		case !wok:
			fmt.Fprintf(&b, "  line %d: want nothing, got %q\n", i+1, gl)
		default:
			fmt.Fprintf(&b, "  line %d: want %q, got %q\n", i+1, wl, gl)
		}
	}
	return b.String()
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
