package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// gVisor's runsc has many global flags Moat does not implement. Each one
// is accepted on the command line (so a containerd or Docker config that
// passes it keeps working) and then judged by the value given:
//
//   - reject: ignoring it would weaken isolation (the caller asked for
//     something stronger than Moat provides, or for a mode whose
//     absence changes the security model): an error names the flag;
//   - warn: ignoring it leaves isolation as it is (debugging, tuning,
//     networking that does not exist yet, devices Moat never passes
//     through): a warning in the log names it.
//
// A value that asks for what Moat does anyway (--overlay2=none,
// --oci-seccomp=false) is accepted silently.

// flagKind is the type of a gVisor flag's value.
type flagKind int

const (
	kindBool flagKind = iota
	kindString
	kindInt
	kindDuration
)

// gvisorFlag is one gVisor flag Moat does not implement.
type gvisorFlag struct {
	name string
	kind flagKind
	// reject returns why the value cannot be ignored, or "".
	reject func(value string) string
	// same reports whether the value is what Moat does anyway.
	same func(value string) bool
}

// always rejects any value with reason.
func always(reason string) func(string) string {
	return func(string) string { return reason }
}

// unless rejects every value but ok with reason.
func unless(ok, reason string) func(string) string {
	return func(v string) string {
		if v == ok {
			return ""
		}
		return reason
	}
}

// is reports whether a value is one of vs.
func is(vs ...string) func(string) bool {
	return func(v string) bool {
		for _, x := range vs {
			if v == x {
				return true
			}
		}
		return false
	}
}

// warnOnly is the policy of flags whose value can be ignored safely.
var warnOnly = func(string) string { return "" }

const (
	whyOverlay   = "Moat has no in-sandbox overlay yet: the container writes through the gofer to the host (what --overlay2=none does); only --overlay2=none is accepted"
	whyRootless  = "Moat runs its sandbox and gofer only as root (it needs to create their namespaces and confine them); rootless mode is not implemented"
	whySeccomp   = "Moat does not apply the spec's linux.seccomp inside the sandbox: ignoring the request would run the container without the filter"
	whyTestOnly  = "test-only gVisor flag: Moat has no test-only modes"
	whyCoreTags  = "Moat does not use core scheduling (core tags): ignoring the request would leave the side-channel mitigation off"
	whyFDLimit   = "Moat does not limit its host file descriptors: ignoring the limit would leave the host unprotected"
	whySandboxNS = "Moat implements --network=none only"
)

// gvisorFlags is gVisor's list of global flags that Moat does not
// implement (runsc/config/flags.go in gVisor), with Moat's policy.
var gvisorFlags = []gvisorFlag{
	// File systems.
	{name: "overlay2", kind: kindString, reject: unless("none", whyOverlay), same: is("none")},
	{name: "overlay", kind: kindBool, reject: unless("false", whyOverlay), same: is("false")},
	{name: "file-access", kind: kindString, reject: warnOnly},
	{name: "file-access-mounts", kind: kindString, reject: warnOnly},
	{name: "host-uds", kind: kindString, reject: warnOnly, same: is("none")},
	{name: "host-fifo", kind: kindString, reject: warnOnly, same: is("none")},
	{name: "character-device-policy", kind: kindString, reject: warnOnly, same: is("emulated-only")},
	{name: "directfs", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "fdlimit", kind: kindInt, reject: func(v string) string {
		if strings.HasPrefix(v, "-") {
			return ""
		}
		return whyFDLimit
	}, same: func(v string) bool { return strings.HasPrefix(v, "-") }},
	{name: "dcache", kind: kindInt, reject: warnOnly},
	{name: "gvisor-marker-file", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "override-procs", kind: kindString, reject: warnOnly},
	{name: "iouring", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "app-huge-pages", kind: kindBool, reject: warnOnly},
	// Security model.
	{name: "rootless", kind: kindBool, reject: unless("false", whyRootless), same: is("false")},
	{name: "oci-seccomp", kind: kindBool, reject: unless("false", whySeccomp), same: is("false")},
	{name: "enable-core-tags", kind: kindBool, reject: unless("false", whyCoreTags), same: is("false")},
	{name: "allow-suid", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "allow-flag-override", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "signal-unkillable-policy", kind: kindString, reject: warnOnly},
	{name: "ignore-cgroups", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "in-sandbox-cgroup", kind: kindString, reject: warnOnly},
	{name: "cpu-num-from-quota", kind: kindBool, reject: warnOnly},
	{name: "host-settings", kind: kindString, reject: warnOnly},
	{name: "shared-root", kind: kindString, reject: warnOnly},
	{name: "pod-init-config", kind: kindString, reject: warnOnly},
	{name: "platform_device_path", kind: kindString, reject: warnOnly},
	{name: "systrap-disable-syscall-patching", kind: kindBool, reject: warnOnly},
	{name: "systrap-disable-fast-path", kind: kindBool, reject: warnOnly},
	{name: "kvm-use-cpu-nums", kind: kindBool, reject: warnOnly},
	{name: "allow-rootfs-tar-annotation", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "control-rpc-stop-timeout", kind: kindDuration, reject: warnOnly},
	{name: "sidecar-release-enforcement-policy", kind: kindString, reject: warnOnly},
	{name: "sidecar-usage-policy", kind: kindString, reject: warnOnly},
	{name: "restore-spec-validation", kind: kindString, reject: warnOnly},
	{name: "ref-leak-mode", kind: kindString, reject: warnOnly},
	// Networking (Moat has --network=none only, so there is nothing to tune).
	{name: "net-raw", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "allow-packet-socket-write", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "allow-live-tcp-migration", kind: kindBool, reject: warnOnly},
	{name: "gso", kind: kindBool, reject: warnOnly},
	{name: "software-gso", kind: kindBool, reject: warnOnly},
	{name: "gvisor-gro", kind: kindBool, reject: warnOnly},
	{name: "tx-checksum-offload", kind: kindBool, reject: warnOnly},
	{name: "rx-checksum-offload", kind: kindBool, reject: warnOnly},
	{name: "qdisc", kind: kindString, reject: warnOnly},
	{name: "qdisc-tbf-rate", kind: kindInt, reject: warnOnly},
	{name: "qdisc-tbf-burst", kind: kindInt, reject: warnOnly},
	{name: "num-network-channels", kind: kindInt, reject: warnOnly},
	{name: "network-processors-per-channel", kind: kindInt, reject: warnOnly},
	{name: "network-proxy-path", kind: kindString, reject: warnOnly},
	{name: "gofer-network-namespace", kind: kindString, reject: warnOnly},
	{name: "EXPERIMENTAL-xdp", kind: kindString, reject: warnOnly},
	{name: "EXPERIMENTAL-xdp-need-wakeup", kind: kindBool, reject: warnOnly},
	{name: "reproduce-nat", kind: kindBool, reject: warnOnly},
	{name: "reproduce-nftables", kind: kindBool, reject: warnOnly},
	{name: "net-disconnect-ok", kind: kindBool, reject: warnOnly},
	{name: "pause-external-networking", kind: kindBool, reject: warnOnly},
	{name: "allow-connected-on-save", kind: kindBool, reject: warnOnly},
	{name: "log-packets", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "pcap-log", kind: kindString, reject: warnOnly},
	// Devices: Moat never passes host devices through.
	{name: "nvproxy", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "nvproxy-docker", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "nvproxy-driver-version", kind: kindString, reject: warnOnly},
	{name: "nvproxy-allow-unsupported-driver", kind: kindBool, reject: warnOnly},
	{name: "nvproxy-allowed-driver-capabilities", kind: kindString, reject: warnOnly},
	{name: "cuda-checkpoint-path", kind: kindString, reject: warnOnly},
	{name: "rdmaproxy", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "tpuproxy", kind: kindBool, reject: warnOnly, same: is("false")},
	// Debugging, profiling and metrics.
	{name: "debug-command", kind: kindString, reject: warnOnly},
	{name: "debug-log-format", kind: kindString, reject: warnOnly, same: is("text")},
	{name: "debug-to-user-log", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "alsologtostderr", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "panic-log", kind: kindString, reject: warnOnly},
	{name: "coverage-report", kind: kindString, reject: warnOnly},
	{name: "traceback", kind: kindString, reject: warnOnly},
	{name: "panic-signal", kind: kindInt, reject: warnOnly, same: is("-1")},
	{name: "watchdog-action", kind: kindString, reject: warnOnly},
	{name: "metric-server", kind: kindString, reject: warnOnly},
	{name: "final-metrics-log", kind: kindString, reject: warnOnly},
	{name: "profiling-metrics", kind: kindString, reject: warnOnly},
	{name: "profiling-metrics-log", kind: kindString, reject: warnOnly},
	{name: "profiling-metrics-rate-us", kind: kindInt, reject: warnOnly},
	{name: "strace-syscalls", kind: kindString, reject: warnOnly},
	{name: "strace-log-size", kind: kindInt, reject: warnOnly},
	{name: "strace-event", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "profile", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "profile-block", kind: kindString, reject: warnOnly},
	{name: "profile-cpu", kind: kindString, reject: warnOnly},
	{name: "profile-gc-interval", kind: kindDuration, reject: warnOnly},
	{name: "profile-heap", kind: kindString, reject: warnOnly},
	{name: "profile-mutex", kind: kindString, reject: warnOnly},
	{name: "trace", kind: kindString, reject: warnOnly},
	// Deprecated in gVisor, without effect there either.
	{name: "buffer-pooling", kind: kindBool, reject: warnOnly},
	{name: "vfs2", kind: kindBool, reject: warnOnly},
	{name: "fuse", kind: kindBool, reject: warnOnly},
	{name: "lisafs", kind: kindBool, reject: warnOnly},
	{name: "cgroupfs", kind: kindBool, reject: warnOnly},
	{name: "fsgofer-host-uds", kind: kindBool, reject: warnOnly, same: is("false")},
	{name: "save-restore-netstack", kind: kindBool, reject: warnOnly},
	// Test-only flags.
	{name: "TESTONLY-unsafe-nonroot", kind: kindBool, reject: always(whyTestOnly)},
	{name: "TESTONLY-test-name-env", kind: kindString, reject: always(whyTestOnly)},
	{name: "TESTONLY-afs-syscall-panic", kind: kindBool, reject: always(whyTestOnly)},
	{name: "TESTONLY-autosave-image-path", kind: kindString, reject: always(whyTestOnly)},
	{name: "TESTONLY-autosave-resume", kind: kindBool, reject: always(whyTestOnly)},
	{name: "TESTONLY-nftables", kind: kindBool, reject: always(whyTestOnly)},
}

// gvisorCLIFlags returns the hidden command-line flags of gvisorFlags.
func gvisorCLIFlags() []cli.Flag {
	out := make([]cli.Flag, 0, len(gvisorFlags))
	for _, f := range gvisorFlags {
		switch f.kind {
		case kindBool:
			out = append(out, &cli.BoolFlag{Name: f.name, Hidden: true})
		case kindInt:
			out = append(out, &cli.Int64Flag{Name: f.name, Hidden: true})
		case kindDuration:
			out = append(out, &cli.DurationFlag{Name: f.name, Hidden: true})
		default:
			out = append(out, &cli.StringFlag{Name: f.name, Hidden: true})
		}
	}
	return out
}

// gvisorValue renders a set flag's value as gVisor would print it.
func gvisorValue(c *cli.Context, f gvisorFlag) string {
	switch f.kind {
	case kindBool:
		return fmt.Sprint(c.Bool(f.name))
	case kindInt:
		return fmt.Sprint(c.Int64(f.name))
	case kindDuration:
		return c.Duration(f.name).String()
	}
	return c.String(f.name)
}

// checkGvisorFlags applies the policy to the gVisor flags given on the
// command line: an error for the first one that cannot be ignored, and a
// warning for each one that is ignored.
func checkGvisorFlags(c *cli.Context) (warnings []string, err error) {
	for _, f := range gvisorFlags {
		if !c.IsSet(f.name) {
			continue
		}
		v := gvisorValue(c, f)
		if f.same != nil && f.same(v) {
			continue
		}
		if why := f.reject(v); why != "" {
			return nil, fmt.Errorf("unsupported flag --%s=%s: %s", f.name, v, why)
		}
		warnings = append(warnings, fmt.Sprintf("flag --%s=%s is a gVisor flag Moat does not implement; ignored (isolation is unchanged)", f.name, v))
	}
	sort.Strings(warnings)
	return warnings, nil
}
