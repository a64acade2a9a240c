package cmd

import (
	"syscall"
	"testing"
)

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal
		ok   bool
	}{
		{"9", syscall.SIGKILL, true}, {"KILL", syscall.SIGKILL, true}, {"SIGKILL", syscall.SIGKILL, true},
		{"sigterm", syscall.SIGTERM, true}, {"term", syscall.SIGTERM, true}, {"64", 64, true},
		{"0", 0, false}, {"65", 0, false}, {"-1", 0, false}, {"NOPE", 0, false}, {"SIGNOPE", 0, false},
		{"", 0, false}, {"9x", 0, false},
	} {
		got, err := parseSignal(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
