package linux

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Errno is a Linux error number as seen by the application. The zero value
// means success. Sentry code returns Errno values, never Go errors, to the
// application; host errors are translated once, by FromHost.
type Errno uintptr

// Error implements error.Error.
func (e Errno) Error() string { return unix.Errno(e).Error() }

// Name returns the symbolic name of e, such as "ENOENT".
func (e Errno) Name() string {
	if n := unix.ErrnoName(unix.Errno(e)); n != "" {
		return n
	}
	switch e {
	case ERESTARTSYS:
		return "ERESTARTSYS"
	case ERESTARTNOINTR:
		return "ERESTARTNOINTR"
	case ERESTARTNOHAND:
		return "ERESTARTNOHAND"
	case ERESTART_RESTARTBLOCK:
		return "ERESTART_RESTARTBLOCK"
	}
	return "E?"
}

// Kernel-internal restart codes. They never reach the application: the
// task loop turns them into a restart or EINTR.
const (
	ERESTARTSYS           Errno = 512
	ERESTARTNOINTR        Errno = 513
	ERESTARTNOHAND        Errno = 514
	ERESTART_RESTARTBLOCK Errno = 516
)

// Errno values, by their Linux names.
const (
	EPERM           Errno = Errno(unix.EPERM)
	ENOENT          Errno = Errno(unix.ENOENT)
	ESRCH           Errno = Errno(unix.ESRCH)
	EINTR           Errno = Errno(unix.EINTR)
	EIO             Errno = Errno(unix.EIO)
	ENXIO           Errno = Errno(unix.ENXIO)
	E2BIG           Errno = Errno(unix.E2BIG)
	ENOEXEC         Errno = Errno(unix.ENOEXEC)
	EBADF           Errno = Errno(unix.EBADF)
	ECHILD          Errno = Errno(unix.ECHILD)
	EAGAIN          Errno = Errno(unix.EAGAIN)
	ENOMEM          Errno = Errno(unix.ENOMEM)
	EACCES          Errno = Errno(unix.EACCES)
	EFAULT          Errno = Errno(unix.EFAULT)
	ENOTBLK         Errno = Errno(unix.ENOTBLK)
	EBUSY           Errno = Errno(unix.EBUSY)
	EEXIST          Errno = Errno(unix.EEXIST)
	EXDEV           Errno = Errno(unix.EXDEV)
	ENODEV          Errno = Errno(unix.ENODEV)
	ENOTDIR         Errno = Errno(unix.ENOTDIR)
	EISDIR          Errno = Errno(unix.EISDIR)
	EINVAL          Errno = Errno(unix.EINVAL)
	ENFILE          Errno = Errno(unix.ENFILE)
	EMFILE          Errno = Errno(unix.EMFILE)
	ENOTTY          Errno = Errno(unix.ENOTTY)
	ETXTBSY         Errno = Errno(unix.ETXTBSY)
	EFBIG           Errno = Errno(unix.EFBIG)
	ENOSPC          Errno = Errno(unix.ENOSPC)
	ESPIPE          Errno = Errno(unix.ESPIPE)
	EROFS           Errno = Errno(unix.EROFS)
	EMLINK          Errno = Errno(unix.EMLINK)
	EPIPE           Errno = Errno(unix.EPIPE)
	EDOM            Errno = Errno(unix.EDOM)
	ERANGE          Errno = Errno(unix.ERANGE)
	EDEADLK         Errno = Errno(unix.EDEADLK)
	ENAMETOOLONG    Errno = Errno(unix.ENAMETOOLONG)
	ENOLCK          Errno = Errno(unix.ENOLCK)
	ENOSYS          Errno = Errno(unix.ENOSYS)
	ENOTEMPTY       Errno = Errno(unix.ENOTEMPTY)
	ELOOP           Errno = Errno(unix.ELOOP)
	ENOMSG          Errno = Errno(unix.ENOMSG)
	EIDRM           Errno = Errno(unix.EIDRM)
	ENODATA         Errno = Errno(unix.ENODATA)
	ETIME           Errno = Errno(unix.ETIME)
	ENOSTR          Errno = Errno(unix.ENOSTR)
	EOVERFLOW       Errno = Errno(unix.EOVERFLOW)
	EBADFD          Errno = Errno(unix.EBADFD)
	EILSEQ          Errno = Errno(unix.EILSEQ)
	ENOTSOCK        Errno = Errno(unix.ENOTSOCK)
	EDESTADDRREQ    Errno = Errno(unix.EDESTADDRREQ)
	EMSGSIZE        Errno = Errno(unix.EMSGSIZE)
	EPROTOTYPE      Errno = Errno(unix.EPROTOTYPE)
	ENOPROTOOPT     Errno = Errno(unix.ENOPROTOOPT)
	EPROTONOSUPPORT Errno = Errno(unix.EPROTONOSUPPORT)
	ESOCKTNOSUPPORT Errno = Errno(unix.ESOCKTNOSUPPORT)
	EOPNOTSUPP      Errno = Errno(unix.EOPNOTSUPP)
	EAFNOSUPPORT    Errno = Errno(unix.EAFNOSUPPORT)
	EADDRINUSE      Errno = Errno(unix.EADDRINUSE)
	EADDRNOTAVAIL   Errno = Errno(unix.EADDRNOTAVAIL)
	ENETDOWN        Errno = Errno(unix.ENETDOWN)
	ENETUNREACH     Errno = Errno(unix.ENETUNREACH)
	ECONNABORTED    Errno = Errno(unix.ECONNABORTED)
	ECONNRESET      Errno = Errno(unix.ECONNRESET)
	ENOBUFS         Errno = Errno(unix.ENOBUFS)
	EISCONN         Errno = Errno(unix.EISCONN)
	ENOTCONN        Errno = Errno(unix.ENOTCONN)
	ETIMEDOUT       Errno = Errno(unix.ETIMEDOUT)
	ECONNREFUSED    Errno = Errno(unix.ECONNREFUSED)
	EHOSTUNREACH    Errno = Errno(unix.EHOSTUNREACH)
	EALREADY        Errno = Errno(unix.EALREADY)
	EINPROGRESS     Errno = Errno(unix.EINPROGRESS)
	ESTALE          Errno = Errno(unix.ESTALE)
	EDQUOT          Errno = Errno(unix.EDQUOT)
	ECANCELED       Errno = Errno(unix.ECANCELED)
	EOWNERDEAD      Errno = Errno(unix.EOWNERDEAD)
	ENOTRECOVERABLE Errno = Errno(unix.ENOTRECOVERABLE)
	ELIBBAD         Errno = Errno(unix.ELIBBAD)
	ENOPKG          Errno = Errno(unix.ENOPKG)
)

// ENOTSUP is the same number as EOPNOTSUPP on Linux.
const ENOTSUP = EOPNOTSUPP

// EWOULDBLOCK is the same number as EAGAIN on Linux.
const EWOULDBLOCK = EAGAIN

// FromHost translates an error from a host system call into an Errno. A nil
// error is success; an error that carries no errno becomes EIO.
func FromHost(err error) Errno {
	if err == nil {
		return 0
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return Errno(e)
	}
	if le, ok := err.(Errno); ok {
		return le
	}
	return EIO
}
