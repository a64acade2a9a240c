package service

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	runtimeoptions "github.com/containerd/containerd/pkg/runtimeoptions/v1"
	"github.com/containerd/containerd/protobuf"
	"github.com/containerd/typeurl/v2"
)

func TestLoadOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		toml  string
		flags []string // runscFlags("c1")
		err   string
	}{
		{name: "defaults", toml: "", flags: []string{"--root=/run/moat/containerd/ns"}},
		{
			name: "all keys",
			toml: `binary_name = "/opt/runsc"
root = "/var/run/r"
log_path = "/var/log/runsc/%ID%.log"
log_level = "debug"
[runsc_config]
platform = "ptrace"
strace = true
debug-log = "/tmp/d/"
`,
			flags: []string{"--root=/var/run/r/ns", "--log=/var/log/runsc/c1.log", "--log-format=json", "--debug",
				"--debug-log=/tmp/d/", "--platform=ptrace", "--strace=true"},
		},
		{name: "unknown key", toml: "binary = \"x\"\n", err: `unknown key "binary"`},
		{name: "bad level", toml: "log_level = \"loud\"\n", err: "invalid log_level"},
		{name: "table value", toml: "[runsc_config]\n[runsc_config.x]\ny = 1\n", err: "runsc_config.x"},
		{name: "not toml", toml: "root = \n", err: "parsing shim config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.toml != "" {
				path = filepath.Join(t.TempDir(), "runsc.toml")
				if err := os.WriteFile(path, []byte(tc.toml), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			o, err := LoadOptions(path, "ns")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error containing %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := o.runscFlags("c1"); !reflect.DeepEqual(got, tc.flags) {
				t.Fatalf("flags:\n got %q\nwant %q", got, tc.flags)
			}
		})
	}
}

func TestRuntimeOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runsc.toml")
	if err := os.WriteFile(path, []byte("binary_name = \"/from/toml\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	generic, err := typeurl.MarshalAny(&runtimeoptions.Options{ConfigPath: path})
	if err != nil {
		t.Fatal(err)
	}
	runc, err := typeurl.MarshalAny(&runcoptions.Options{BinaryName: "/from/runc", Root: "/r"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := runtimeOptions(protobuf.FromAny(generic), "ns")
	if err != nil || o.Binary != "/from/toml" || o.Root != "/run/moat/containerd/ns" {
		t.Fatalf("runtimeoptions.v1: %+v, %v", o, err)
	}
	o, err = runtimeOptions(protobuf.FromAny(runc), "ns")
	if err != nil || o.Binary != "/from/runc" || o.Root != "/r/ns" {
		t.Fatalf("runc options: %+v, %v", o, err)
	}
	o, err = runtimeOptions(nil, "ns")
	if err != nil || o.Binary != "runsc" {
		t.Fatalf("no options: %+v, %v", o, err)
	}
}

func TestSavedOptions(t *testing.T) {
	dir := t.TempDir()
	o := &Options{Binary: "runsc", Root: "/r/ns", LogPath: "/l/%ID%", RunscConfig: map[string]string{"platform": "ptrace"}}
	if err := o.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := readSavedOptions(dir)
	if err != nil || !reflect.DeepEqual(got, o) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, o)
	}
}

func TestGroup(t *testing.T) {
	for _, tc := range []struct {
		ann  map[string]string
		want string
	}{
		{nil, "c1"},
		{map[string]string{annotationSandboxID: "pod", annotationContainerType: "container"}, "pod"},
		{map[string]string{annotationSandboxID: "c1", annotationContainerType: "sandbox"}, "c1"},
		{map[string]string{annotationContainerType: "container"}, "c1"},
	} {
		if got := group("c1", tc.ann); got != tc.want {
			t.Errorf("group(c1, %v) = %q, want %q", tc.ann, got, tc.want)
		}
	}
}
