package config

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// parse runs the global flags args through an app and returns the config
// FromContext makes of them.
func parse(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	var cfg *Config
	var err error
	app := &cli.App{
		Name:  "runsc",
		Flags: Flags(),
		Action: func(c *cli.Context) error {
			cfg, err = FromContext(c)
			return nil
		},
	}
	if rerr := app.Run(append([]string{"runsc"}, args...)); rerr != nil {
		t.Fatalf("parsing %q: %v", args, rerr)
	}
	return cfg, err
}

func TestGvisorFlagPolicy(t *testing.T) {
	for _, tc := range []struct {
		args []string
		// reject is a substring of the error; "" means accepted.
		reject string
		// warn is a substring of a warning; "" means none.
		warn string
	}{
		{args: nil},
		{args: []string{"--overlay2=none"}},
		{args: []string{"--overlay2=root:memory"}, reject: "--overlay2=root:memory: Moat has no in-sandbox overlay"},
		{args: []string{"--overlay2", "all:self"}, reject: "--overlay2=all:self"},
		{args: []string{"--overlay"}, reject: "--overlay=true"},
		{args: []string{"--rootless"}, reject: "--rootless=true"},
		{args: []string{"--rootless=false"}},
		{args: []string{"--oci-seccomp"}, reject: "linux.seccomp"},
		{args: []string{"--enable-core-tags"}, reject: "core scheduling"},
		{args: []string{"--fdlimit=100"}, reject: "--fdlimit=100"},
		{args: []string{"--fdlimit=-1"}},
		{args: []string{"--TESTONLY-unsafe-nonroot"}, reject: "test-only"},
		{args: []string{"--TESTONLY-test-name-env=x"}, reject: "test-only"},
		{args: []string{"--network=host"}, reject: `--network="host"`},
		{args: []string{"--network=sandbox"}, reject: `--network="sandbox"`},
		{args: []string{"--platform=kvm"}, reject: `--platform="kvm"`},
		{args: []string{"--net-raw"}, warn: "--net-raw=true"},
		{args: []string{"--net-raw=false"}},
		{args: []string{"--file-access=shared"}, warn: "--file-access=shared"},
		{args: []string{"--host-uds=all"}, warn: "--host-uds=all"},
		{args: []string{"--nvproxy"}, warn: "--nvproxy=true"},
		{args: []string{"--profile-gc-interval=5s"}, warn: "--profile-gc-interval=5s"},
		{args: []string{"--panic-signal=12"}, warn: "--panic-signal=12"},
		{args: []string{"--vfs2"}, warn: "--vfs2=true"},
		{args: []string{"--log-format=json"}},
		{args: []string{"--log-format=xml"}, reject: "--log-format"},
	} {
		cfg, err := parse(t, tc.args...)
		switch {
		case tc.reject != "":
			if err == nil || !strings.Contains(err.Error(), tc.reject) {
				t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.reject)
			}
			continue
		case err != nil:
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		got := strings.Join(cfg.Warnings, "\n")
		if tc.warn == "" && got != "" || !strings.Contains(got, tc.warn) {
			t.Errorf("%q: warnings %q, want %q", tc.args, got, tc.warn)
		}
	}
}

// TestGvisorFlagsUnique checks that no gVisor flag is listed twice or
// shadows one of Moat's own.
func TestGvisorFlagsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Flags() {
		for _, n := range f.Names() {
			if seen[n] {
				t.Errorf("flag %q defined twice", n)
			}
			seen[n] = true
		}
	}
}
