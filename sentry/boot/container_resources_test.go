package boot

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"moat/sentry/control"
	"moat/sentry/kernel"
)

func i64(v int64) *int64   { return &v }
func u64(v uint64) *uint64 { return &v }

// TestMergeResources: the sandbox's record of its limits follows the
// host's rules for a create and a series of partial updates.
func TestMergeResources(t *testing.T) {
	spec := &specs.Spec{Linux: &specs.Linux{Resources: &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: i64(100000000), Reservation: i64(1 << 20)},
		CPU:    &specs.LinuxCPU{Quota: i64(150000), Cpus: "2-5", Shares: u64(512)},
		Pids:   &specs.LinuxPids{Limit: 40},
	}}}
	r := specResources(spec, control.ContainerArgs{CPUs: 2, HostCPUs: 8})
	want := kernel.Resources{HostCPUs: 8, CpusetCPUs: 4, CPUQuota: 150000, CPUShares: 512,
		MemoryLimit: 99999744, MemoryReservation: 1 << 20, PidsLimit: 40}
	if r != want {
		t.Fatalf("create: %+v, want %+v", r, want)
	}
	if r.CPUs() != 2 {
		t.Errorf("CPUs %d, want 2", r.CPUs())
	}
	for _, step := range []struct {
		name string
		lr   specs.LinuxResources
		edit func(*kernel.Resources)
		cpus int
	}{
		{"period alone keeps the quota", specs.LinuxResources{CPU: &specs.LinuxCPU{Period: u64(50000)}},
			func(w *kernel.Resources) { w.CPUPeriod = 50000 }, 3},
		{"zero values change nothing", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: i64(0), Shares: u64(0)}, Memory: &specs.LinuxMemory{Limit: i64(0)}, Pids: &specs.LinuxPids{}},
			func(*kernel.Resources) {}, 3},
		{"a wider cpuset", specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-7"}},
			func(w *kernel.Resources) { w.CpusetCPUs = 8 }, 3},
		{"-1 removes limits", specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: i64(-1)}, Memory: &specs.LinuxMemory{Limit: i64(-1)}, Pids: &specs.LinuxPids{Limit: -1}},
			func(w *kernel.Resources) { w.CPUQuota, w.MemoryLimit, w.PidsLimit = 0, 0, 0 }, 8},
		{"unified memory.high", specs.LinuxResources{Unified: map[string]string{"memory.high": "52428800\n"}},
			func(w *kernel.Resources) { w.MemoryHigh = 50 << 20 }, 8},
		{"memory.high max", specs.LinuxResources{Unified: map[string]string{"memory.high": "max"}},
			func(w *kernel.Resources) { w.MemoryHigh = 0 }, 8},
	} {
		mergeResources(&r, &step.lr)
		step.edit(&want)
		if r != want {
			t.Errorf("%s: %+v, want %+v", step.name, r, want)
		}
		if r.CPUs() != step.cpus {
			t.Errorf("%s: CPUs %d, want %d", step.name, r.CPUs(), step.cpus)
		}
	}
	// An older runsc does not send HostCPUs: the count it chose stands.
	if r := specResources(&specs.Spec{}, control.ContainerArgs{CPUs: 3}); r.CPUs() != 3 {
		t.Errorf("without HostCPUs: %d CPUs", r.CPUs())
	}
}
