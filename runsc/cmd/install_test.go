package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDockerConfigEdits(t *testing.T) {
	install := func(name string, args ...string) func(*dockerConfig) error {
		return func(c *dockerConfig) error { return c.install(name, "/opt/runsc", args, true, false) }
	}
	tests := []struct {
		name    string
		initial *string // nil: no file
		edit    func(*dockerConfig) error
		want    string // JSON the file must equal (semantically); "" with wantErr
		wantErr string
	}{
		{"missing file", nil, install("runsc"),
			`{"runtimes":{"runsc":{"path":"/opt/runsc"}}}`, ""},
		{"empty file", ptr("  \n"), install("runsc", "--debug", "--network=none"),
			`{"runtimes":{"runsc":{"path":"/opt/runsc","runtimeArgs":["--debug","--network=none"]}}}`, ""},
		{"other entries and runtimes kept", ptr(`{"log-level":"warn","max-concurrent-downloads":12345678901234567890,"runtimes":{"nvidia":{"path":"nvidia-container-runtime","runtimeArgs":[]}}}`), install("moat"),
			`{"log-level":"warn","max-concurrent-downloads":12345678901234567890,"runtimes":{"moat":{"path":"/opt/runsc"},"nvidia":{"path":"nvidia-container-runtime","runtimeArgs":[]}}}`, ""},
		{"clobber replaces", ptr(`{"runtimes":{"runsc":{"path":"/old"}}}`), install("runsc"),
			`{"runtimes":{"runsc":{"path":"/opt/runsc"}}}`, ""},
		{"no clobber refuses", ptr(`{"runtimes":{"runsc":{"path":"/old"}}}`),
			func(c *dockerConfig) error { return c.install("runsc", "/opt/runsc", nil, false, false) }, "", `runtime "runsc" exists`},
		{"experimental", ptr(`{}`),
			func(c *dockerConfig) error { return c.install("runsc", "/opt/runsc", nil, true, true) },
			`{"experimental":true,"runtimes":{"runsc":{"path":"/opt/runsc"}}}`, ""},
		{"uninstall keeps others", ptr(`{"debug":true,"runtimes":{"runsc":{"path":"/x"},"other":{"path":"/y"}}}`),
			func(c *dockerConfig) error { return c.uninstall("runsc") },
			`{"debug":true,"runtimes":{"other":{"path":"/y"}}}`, ""},
		{"uninstall unknown", ptr(`{"runtimes":{"other":{"path":"/y"}}}`),
			func(c *dockerConfig) error { return c.uninstall("runsc") }, "", `runtime "runsc" not found`},
		{"uninstall without runtimes", nil,
			func(c *dockerConfig) error { return c.uninstall("runsc") }, "", `runtime "runsc" not found`},
		{"malformed", ptr("{\n  \"debug\": true,\n  \"runtimes\": {\n}"), install("runsc"), "", "line 4, column 1: unexpected end of JSON input"},
		{"trailing comma", ptr(`{"debug": true,}`), install("runsc"), "", "line 1, column 16: invalid character '}'"},
		{"not an object", ptr(`[1, 2]`), install("runsc"), "", "want a JSON object, got array"},
		{"null", ptr(`null`), install("runsc"), "", "want a JSON object, got null"},
		{"runtimes not an object", ptr(`{"runtimes": ["runsc"]}`), install("runsc"), "", `"runtimes" must be an object`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "docker", "daemon.json")
			if tc.initial != nil {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(*tc.initial), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			err := editDockerConfig(path, tc.edit)
			b, rerr := os.ReadFile(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				// Nothing is lost: the file is exactly as it was.
				if tc.initial == nil && rerr == nil || tc.initial != nil && string(b) != *tc.initial {
					t.Fatalf("file changed on error: %q", b)
				}
				if ents, _ := os.ReadDir(filepath.Dir(path)); tc.initial != nil && len(ents) != 1 {
					t.Fatalf("temporary files left: %v", ents)
				}
				return
			}
			if err != nil {
				t.Fatalf("edit: %v", err)
			}
			if !sameJSON(t, string(b), tc.want) {
				t.Fatalf("file:\n%s\nwant %s", b, tc.want)
			}
			if fi, _ := os.Stat(path); tc.initial != nil && fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want the old 0640", fi.Mode().Perm())
			}
		})
	}
}

// TestDockerConfigSymlink edits the target of a symlinked daemon.json and
// keeps the link.
func TestDockerConfigSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	os.WriteFile(target, []byte(`{"debug":true}`), 0o644)
	link := filepath.Join(dir, "daemon.json")
	os.Symlink(target, link)
	if err := editDockerConfig(link, func(c *dockerConfig) error { return c.install("runsc", "/r", nil, true, false) }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
	b, _ := os.ReadFile(target)
	if !sameJSON(t, string(b), `{"debug":true,"runtimes":{"runsc":{"path":"/r"}}}`) {
		t.Fatalf("target: %s", b)
	}
}

func ptr(s string) *string { return &s }

// sameJSON compares two JSON texts by value, numbers kept exact.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	norm := func(s string) string {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("bad JSON %q: %v", s, err)
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return norm(a) == norm(b)
}

func TestCheckRuntimeArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{nil, ""},
		{[]string{"--debug", "--debug-log=/var/log/runsc/", "--network=none", "--platform", "ptrace"}, ""},
		{[]string{"--no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"--platform=kvm"}, "--platform"},
		{[]string{"--log-format=xml"}, "--log-format"},
		{[]string{"create"}, `"create" is not a global flag`},
	} {
		err := checkRuntimeArgs(tc.args)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("checkRuntimeArgs(%q) = %v, want %q", tc.args, err, tc.err)
		}
	}
}
