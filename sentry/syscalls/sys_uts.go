package syscalls

import (
	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/auth"
	"moat/sentry/kernel"
)

// utsNameMax is __NEW_UTS_LEN: the longest host or domain name.
const utsNameMax = 64

// utsName reads the name argument of sethostname and setdomainname with
// Linux's checks, in its order: CAP_SYS_ADMIN (in the UTS namespace, here
// the sandbox's), then the length, then the copy.
func utsName(t *kernel.Task, args *arch.SyscallArguments) (string, linux.Errno) {
	if !t.Credentials().HasCap(auth.CapSysAdmin) {
		return "", linux.EPERM
	}
	n := int(args.Int(1))
	if n < 0 || n > utsNameMax {
		return "", linux.EINVAL
	}
	b := make([]byte, n)
	if errno := t.CopyIn(args.Pointer(0), b); errno != 0 {
		return "", errno
	}
	// The name is the bytes given; uname stops at a NUL, as Linux's does.
	return string(b), 0
}

// Sethostname implements Linux syscall sethostname(2).
func Sethostname(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setUTSName(t, args, t.Kernel().SetHostname)
}

// Setdomainname implements Linux syscall setdomainname(2).
func Setdomainname(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return setUTSName(t, args, t.Kernel().SetDomainname)
}

func setUTSName(t *kernel.Task, args *arch.SyscallArguments, set func(string)) (uintptr, linux.Errno) {
	name, errno := utsName(t, args)
	if errno != 0 {
		return 0, errno
	}
	set(name)
	return 0, 0
}
