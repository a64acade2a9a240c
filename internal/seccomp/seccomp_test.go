package seccomp

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const childEnv = "MOAT_SECCOMP_TEST_CHILD"

// testErrno is the distinctive errno the child's filter returns.
const testErrno = unix.EHWPOISON

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	os.Exit(m.Run())
}

// childFilter is the allow-list the re-executed child loads.
func childFilter(def Action) *Filter {
	return New(def).AllowGoRuntime().
		AllowIf(unix.SYS_PRCTL, Rule{ArgEq(0, unix.PR_GET_DUMPABLE)})
}

// runChild installs a filter on the child process and reports what happens
// to listed and unlisted calls on stdout.
func runChild(mode string) int {
	def := Errno(testErrno)
	if mode == "kill" {
		def = ActionKillProcess
	}
	if err := childFilter(def).Load(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		return 2
	}
	// Threads started under the filter must work: lock a few goroutines
	// to threads of their own and wait in system calls.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			time.Sleep(10 * time.Millisecond)
		}()
	}
	wg.Wait()
	res := func(_ uintptr, _ uintptr, e syscall.Errno) string {
		if e != 0 {
			return fmt.Sprintf("errno%d", int(e))
		}
		return "ok"
	}
	var out []string
	out = append(out, "dumpable="+res(unix.Syscall(unix.SYS_PRCTL, unix.PR_GET_DUMPABLE, 0, 0)))
	out = append(out, "keepcaps="+res(unix.Syscall(unix.SYS_PRCTL, unix.PR_GET_KEEPCAPS, 0, 0)))
	out = append(out, "getppid="+res(unix.Syscall(unix.SYS_GETPPID, 0, 0, 0)))
	fmt.Println(strings.Join(out, " "))
	return 0
}

func TestInstallInChild(t *testing.T) {
	tests := []struct {
		mode     string
		want     string
		signaled syscall.Signal
	}{
		{mode: "errno", want: fmt.Sprintf("dumpable=ok keepcaps=errno%d getppid=errno%d\n", testErrno, testErrno)},
		{mode: "kill", signaled: syscall.SIGSYS},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			if raceEnabled && tt.signaled == 0 {
				t.Skip("the race detector's runtime makes unlisted calls and aborts when they fail")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.mode)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if tt.signaled != 0 {
				ee, ok := err.(*exec.ExitError)
				if !ok {
					t.Fatalf("child: err %v, output %q, want death by %v", err, out, tt.signaled)
				}
				ws := ee.Sys().(syscall.WaitStatus)
				if !ws.Signaled() || ws.Signal() != tt.signaled {
					t.Fatalf("child ended %v, want signal %v (stderr %q)", ws, tt.signaled, stderr.String())
				}
				if strings.Contains(string(out), "getppid") {
					t.Fatalf("child survived an unlisted call: %q", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("child: %v (stderr %q)", err, stderr.String())
			}
			if string(out) != tt.want {
				t.Fatalf("child printed %q, want %q", out, tt.want)
			}
		})
	}
}

// run interprets a seccomp BPF program on one seccomp_data.
func run(t *testing.T, prog []unix.SockFilter, data []byte) uint32 {
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			acc = binary.LittleEndian.Uint32(data[in.K:])
		case unix.BPF_ALU | unix.BPF_AND | unix.BPF_K:
			acc &= in.K
		case unix.BPF_JMP | unix.BPF_JA:
			pc += int(in.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			if acc == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K:
			if acc >= in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return in.K
		default:
			t.Fatalf("unknown opcode %#x at %d", in.Code, pc)
		}
	}
	t.Fatalf("program fell off the end")
	return 0
}

func seccompData(arch, nr uint32, args [6]uint64) []byte {
	b := make([]byte, 64)
	binary.LittleEndian.PutUint32(b[0:], nr)
	binary.LittleEndian.PutUint32(b[4:], arch)
	for i, a := range args {
		binary.LittleEndian.PutUint64(b[16+8*i:], a)
	}
	return b
}

// TestBuildMatchesAction checks the compiled program against Filter.Action
// on many system calls and arguments.
func TestBuildMatchesAction(t *testing.T) {
	f := New(ActionKillProcess).AllowGoRuntime().
		AllowIf(unix.SYS_IOCTL, Rule{ArgEq(1, unix.TCGETS)}, Rule{ArgMasked(1, 0xff, 0x21), ArgEq(2, 1<<40)}).
		AllowIf(unix.SYS_SOCKET, Rule{ArgEq(0, unix.AF_UNIX)}).
		Set(unix.SYS_OPENAT, Errno(unix.ENOENT)).
		AllowIf(unix.SYS_MMAP, Rule{ArgEq(2, 0)}) // already unconditional
	prog, err := f.Build()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	nrs := append(f.Syscalls(), 0, 1, 7, 500, 1000, x32Bit|1)
	argVals := []uint64{0, 1, unix.TCGETS, 0x21, 0x1121, 1 << 40, unix.AF_UNIX, 1<<32 | unix.AF_UNIX}
	for i := 0; i < 20000; i++ {
		nr := nrs[r.Intn(len(nrs))]
		var args [6]uint64
		for j := range args {
			args[j] = argVals[r.Intn(len(argVals))]
		}
		want := uint32(f.Action(nr, args))
		if x32Bit != 0 && nr&x32Bit != 0 {
			want = uint32(ActionKillProcess)
		}
		if got := run(t, prog, seccompData(auditArch, nr, args)); got != want {
			t.Fatalf("nr %d args %x: program says %v, Action says %v", nr, args, Action(got), Action(want))
		}
	}
	if got := run(t, prog, seccompData(auditArch^1, unix.SYS_READ, [6]uint64{})); got != uint32(ActionKillProcess) {
		t.Fatalf("foreign arch: got %v, want kill", Action(got))
	}
}

// TestManyRules builds a call with more rules than a conditional jump can
// skip over.
func TestManyRules(t *testing.T) {
	f := New(ActionKillProcess).Allow(unix.SYS_READ, unix.SYS_WRITE)
	var rules []Rule
	for i := range 40 {
		rules = append(rules, Rule{ArgEq(0, uint64(i)), ArgEq(1, uint64(i)<<33), ArgMasked(2, 0xf0, 0x10)})
	}
	f.AllowIf(unix.SYS_IOCTL, rules...)
	prog, err := f.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		nr   uint32
		args [6]uint64
	}{
		{unix.SYS_IOCTL, [6]uint64{39, 39 << 33, 0x1f}},
		{unix.SYS_IOCTL, [6]uint64{39, 39 << 33, 0x2f}},
		{unix.SYS_IOCTL, [6]uint64{0, 0, 0x10}},
		{unix.SYS_IOCTL, [6]uint64{41, 41 << 33, 0x10}},
		{unix.SYS_READ, [6]uint64{}},
		{unix.SYS_OPENAT, [6]uint64{}},
	} {
		want := uint32(f.Action(tt.nr, tt.args))
		if got := run(t, prog, seccompData(auditArch, tt.nr, tt.args)); got != want {
			t.Errorf("nr %d args %x: program says %v, Action says %v", tt.nr, tt.args, Action(got), Action(want))
		}
	}
}

func TestActionString(t *testing.T) {
	tests := []struct {
		a    Action
		want string
	}{
		{ActionAllow, "allow"},
		{ActionKillProcess, "kill-process"},
		{Errno(unix.EPERM), "errno(1)"},
		{ActionTrap, "trap"},
		{Trace(7), "trace(7)"},
		{ActionUserNotif, "user-notif"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%#x.String() = %q, want %q", uint32(tt.a), got, tt.want)
		}
	}
}
