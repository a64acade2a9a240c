package seccomp_test

import (
	"fmt"

	"golang.org/x/sys/unix"

	"moat/internal/seccomp"
)

// A process's allow-list: the Go runtime's needs, a few calls of its own,
// ioctl only for TCGETS, and ENOSYS (not death) for openat.
func Example() {
	f := seccomp.New(seccomp.ActionKillProcess).
		AllowGoRuntime().
		Allow(unix.SYS_OPENAT2, unix.SYS_FSTAT).
		AllowIf(unix.SYS_IOCTL, seccomp.Rule{seccomp.ArgEq(1, unix.TCGETS)}).
		Set(unix.SYS_OPENAT, seccomp.Errno(unix.ENOSYS))
	prog, err := f.Build()
	if err != nil {
		panic(err)
	}
	fmt.Println(len(prog) < seccomp.MaxInstructions)
	fmt.Println(f.Action(unix.SYS_IOCTL, [6]uint64{0, unix.TCGETS}))
	fmt.Println(f.Action(unix.SYS_IOCTL, [6]uint64{0, unix.TIOCSTI}))
	fmt.Println(f.Action(unix.SYS_OPENAT, [6]uint64{}))
	// A real program would now call f.Load() (or seccomp.Install(prog)).
	// Output:
	// true
	// allow
	// kill-process
	// errno(38)
}
