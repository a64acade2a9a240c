package syscalls

import (
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
)

// Personality implements Linux syscall personality(2): 0xffffffff queries,
// anything else is set; the old value is returned either way (what the
// flags do: sentry/kernel/personality.go).
func Personality(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	p := uint32(args.Uint(0))
	tg := t.ThreadGroup()
	if p == kernel.PersonalityQuery {
		return uintptr(tg.Personality()), 0
	}
	return uintptr(tg.SetPersonality(p)), 0
}
