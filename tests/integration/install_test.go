package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"moat/tests/testutil"
)

// TestInstallUninstall drives `runsc install` and `runsc uninstall` on a
// temporary daemon.json: other entries and runtimes stay, path is this
// runsc's absolute path, runtimeArgs are the flags after --, and a
// malformed file is refused and left untouched.
func TestInstallUninstall(t *testing.T) {
	runsc, err := testutil.FindRunsc()
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(runsc)
	abs, _ = filepath.EvalSymlinks(abs)
	run := func(args ...string) (string, int) {
		out, err := exec.Command(runsc, args...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	read := func(path string) map[string]any {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, b)
		}
		return m
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "etc", "docker", "daemon.json")

	// A missing file (and directory) is created.
	if out, code := run("install", "--config-file", cfg, "--", "--debug", "--network=none"); code != 0 {
		t.Fatalf("install: %d %s", code, out)
	}
	rt := read(cfg)["runtimes"].(map[string]any)["runsc"].(map[string]any)
	if rt["path"] != abs || strings.Join(toStrings(rt["runtimeArgs"]), " ") != "--debug --network=none" {
		t.Fatalf("runsc runtime: %v, want path %s", rt, abs)
	}

	// Other entries and runtimes are kept; a second name is added.
	os.WriteFile(cfg, []byte(`{"log-level": "warn", "runtimes": {"other": {"path": "/usr/bin/other"}, "runsc": {"path": "/old"}}}`), 0o600)
	os.Chmod(cfg, 0o600)
	if out, code := run("install", "--config-file", cfg, "--runtime", "moat"); code != 0 {
		t.Fatalf("install --runtime moat: %d %s", code, out)
	}
	m := read(cfg)
	rts := m["runtimes"].(map[string]any)
	if m["log-level"] != "warn" || len(rts) != 3 || rts["moat"].(map[string]any)["path"] != abs ||
		rts["runsc"].(map[string]any)["path"] != "/old" || rts["other"].(map[string]any)["path"] != "/usr/bin/other" {
		t.Fatalf("after install --runtime moat: %v", m)
	}
	if fi, _ := os.Stat(cfg); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the file's own 0600", fi.Mode().Perm())
	}
	if out, code := run("uninstall", "--config-file", cfg); code != 0 {
		t.Fatalf("uninstall: %d %s", code, out)
	}
	if out, code := run("uninstall", "--config-file", cfg, "--runtime", "moat"); code != 0 {
		t.Fatalf("uninstall --runtime moat: %d %s", code, out)
	}
	m = read(cfg)
	if rts := m["runtimes"].(map[string]any); m["log-level"] != "warn" || len(rts) != 1 || rts["other"] == nil {
		t.Fatalf("after uninstall: %v", m)
	}
	if out, code := run("uninstall", "--config-file", cfg); code != 1 || !strings.Contains(out, `runtime "runsc" not found`) {
		t.Fatalf("uninstall of a missing runtime: %d %q", code, out)
	}

	// A malformed file: a clear error, and the file is untouched.
	bad := "{\n  \"debug\": true,\n  \"runtimes\": {\"x\": }\n}\n"
	os.WriteFile(cfg, []byte(bad), 0o644)
	for _, args := range [][]string{{"install", "--config-file", cfg}, {"uninstall", "--config-file", cfg}} {
		out, code := run(args...)
		if code != 1 || !strings.Contains(out, "parsing "+cfg+": line 3, column 21: invalid character '}'") {
			t.Errorf("%v on malformed JSON: %d %q", args, code, out)
		}
		if b, _ := os.ReadFile(cfg); string(b) != bad {
			t.Errorf("%v changed the malformed file: %q", args, b)
		}
	}
	// Runtime arguments runsc would refuse are refused now.
	if out, code := run("install", "--config-file", cfg, "--", "--platform=kvm"); code != 1 || !strings.Contains(out, "invalid runtime arguments") {
		t.Errorf("install with a bad runtime argument: %d %q", code, out)
	}
	if b, _ := os.ReadFile(cfg); string(b) != bad {
		t.Errorf("install with a bad runtime argument changed the file: %q", b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(cfg)); len(ents) != 1 {
		t.Errorf("files left beside daemon.json: %v", ents)
	}
}

func toStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
