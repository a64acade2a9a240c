package container

import (
	"strings"
	"testing"
)

// TestCheckTerminal is runc's table of terminal and console socket
// combinations.
func TestCheckTerminal(t *testing.T) {
	for _, tc := range []struct {
		terminal, detach bool
		socket           string
		want             string // "" for no error
	}{
		{false, false, "", ""},
		{false, true, "", ""},
		{true, false, "", ""},  // foreground: runsc keeps the master
		{true, true, "/s", ""}, // create, run -d, exec -d
		{true, true, "", "cannot allocate tty"},
		{false, true, "/s", "cannot use console socket"},
		{true, false, "/s", "cannot use console socket"},
		{false, false, "/s", "cannot use console socket"},
	} {
		err := checkTerminal(tc.terminal, tc.detach, tc.socket)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("terminal=%v detach=%v socket=%q: %v", tc.terminal, tc.detach, tc.socket, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("terminal=%v detach=%v socket=%q: %v, want %q", tc.terminal, tc.detach, tc.socket, err, tc.want)
		}
	}
}
