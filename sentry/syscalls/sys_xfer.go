package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/fs/pipe"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// transfer copies up to count bytes from in to out through a sentry buffer.
// inOff/outOff < 0 use the files' offsets. It returns the bytes copied and
// the final offsets.
func transfer(t *kernel.Task, in, out *vfs.FileDescription, inOff, outOff int64, count uint64) (uint64, int64, int64, linux.Errno) {
	bp := ioBuffers.Get().(*[]byte)
	defer ioBuffers.Put(bp)
	buf := *bp
	r := rwOp{f: in, off: inOff}
	w := rwOp{f: out, off: outOff}
	var total uint64
	for total < count {
		want := min(count-total, uint64(len(buf)))
		n, err := r.read(t, buf[:want])
		if n == 0 {
			if total > 0 {
				err = 0
			}
			return total, r.off, w.off, err
		}
		m, werr := w.write(t, buf[:n])
		total += uint64(m)
		if werr != 0 || m < n {
			if total > 0 {
				werr = 0
			}
			// Bytes read but not written go back to a seekable
			// source (a full socket takes only part of a chunk); for
			// stream input they are lost, as with a failed write after
			// a read on Linux.
			r.unread(t, n-m)
			return total, r.off, w.off, werr
		}
		if err != 0 || uint64(n) < want || in.IsStream() {
			break
		}
	}
	return total, r.off, w.off, 0
}

// readOffset reads an loff_t at addr (0: none, -1 returned).
func readOffset(t *kernel.Task, addr uintptr) (int64, linux.Errno) {
	if addr == 0 {
		return -1, 0
	}
	var b [8]byte
	if err := t.CopyIn(addr, b[:]); err != 0 {
		return 0, err
	}
	off := int64(binary.LittleEndian.Uint64(b[:]))
	if off < 0 {
		return 0, linux.EINVAL
	}
	return off, 0
}

func writeOffset(t *kernel.Task, addr uintptr, off int64) linux.Errno {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(off))
	return t.CopyOut(addr, b[:])
}

// Sendfile implements Linux syscall sendfile(2).
func Sendfile(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	outFD, inFD, offAddr, count := args.Int(0), args.Int(1), args.Pointer(2), uint64(args.SizeT(3))
	in, err := getFile(t, inFD)
	if err != 0 {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, outFD)
	if err != 0 {
		return 0, err
	}
	defer out.DecRef()
	if !in.IsReadable() || !out.IsWritable() {
		return 0, linux.EBADF
	}
	if out.StatusFlags()&unix.O_APPEND != 0 {
		return 0, linux.EINVAL
	}
	if d := in.Dentry(); (d != nil && d.IsDir()) || isPipe(t, in) {
		// Linux's pipes have no splice_read: sendfile from one is
		// EINVAL (Go then copies through a buffer).
		return 0, linux.EINVAL
	}
	inOff, err := readOffset(t, offAddr)
	if err != 0 {
		return 0, err
	}
	if inOff >= 0 && in.IsStream() {
		return 0, linux.ESPIPE
	}
	count = min(count, maxRWCount)
	n, newOff, _, err := transfer(t, in, out, inOff, -1, count)
	if inOff >= 0 {
		if werr := writeOffset(t, offAddr, newOff); werr != 0 {
			return 0, werr
		}
	}
	return result(n, err)
}

// CopyFileRange implements Linux syscall copy_file_range(2) by copying
// through the sentry.
func CopyFileRange(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	inFD, inOffAddr, outFD, outOffAddr := args.Int(0), args.Pointer(1), args.Int(2), args.Pointer(3)
	count, flags := uint64(args.SizeT(4)), args.Uint(5)
	if flags != 0 {
		return 0, linux.EINVAL
	}
	in, err := getFile(t, inFD)
	if err != 0 {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, outFD)
	if err != 0 {
		return 0, err
	}
	defer out.DecRef()
	if !in.IsReadable() || !out.IsWritable() || out.StatusFlags()&unix.O_APPEND != 0 {
		return 0, linux.EBADF
	}
	for _, f := range []*vfs.FileDescription{in, out} {
		d := f.Dentry()
		if d == nil {
			return 0, linux.EINVAL
		}
		if d.IsDir() {
			return 0, linux.EISDIR
		}
		if d.Type() != unix.S_IFREG {
			return 0, linux.EINVAL
		}
	}
	inOff, err := readOffset(t, inOffAddr)
	if err != 0 {
		return 0, overflowIfInvalid(err)
	}
	outOff, err := readOffset(t, outOffAddr)
	if err != 0 {
		return 0, overflowIfInvalid(err)
	}
	count = min(count, maxRWCount)
	if in.Dentry().Inode() == out.Dentry().Inode() {
		a := inOff
		if a < 0 {
			a = in.Offset()
		}
		b := outOff
		if b < 0 {
			b = out.Offset()
		}
		if a < b+int64(count) && b < a+int64(count) {
			return 0, linux.EINVAL
		}
	}
	n, newIn, newOut, err := transfer(t, in, out, inOff, outOff, count)
	if inOff >= 0 {
		if werr := writeOffset(t, inOffAddr, newIn); werr != 0 {
			return 0, werr
		}
	}
	if outOff >= 0 {
		if werr := writeOffset(t, outOffAddr, newOut); werr != 0 {
			return 0, werr
		}
	}
	return result(n, err)
}

// overflowIfInvalid maps readOffset's EINVAL (negative offset) to the
// EOVERFLOW copy_file_range reports.
func overflowIfInvalid(err linux.Errno) linux.Errno {
	if err == linux.EINVAL {
		return linux.EOVERFLOW
	}
	return err
}

// isPipe reports whether f is a pipe or FIFO.
func isPipe(t *kernel.Task, f *vfs.FileDescription) bool {
	st, err := f.Stat(t, linux.STATX_TYPE)
	return err == 0 && uint32(st.Mode)&unix.S_IFMT == unix.S_IFIFO
}

// Splice flags.
const (
	spliceMove     = 1
	spliceNonblock = 2
	spliceMore     = 4
	spliceGift     = 8
)

// Splice implements Linux syscall splice(2) by copying through the sentry
// (one end must be a pipe, as on Linux). SPLICE_F_NONBLOCK makes the
// pipe ends non-blocking: EAGAIN when the pipe has no data to give or no
// room to take.
func Splice(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	inFD, inOffAddr, outFD, outOffAddr := args.Int(0), args.Pointer(1), args.Int(2), args.Pointer(3)
	count, flags := uint64(args.SizeT(4)), args.Uint(5)
	if flags&^(spliceMove|spliceNonblock|spliceMore|spliceGift) != 0 {
		return 0, linux.EINVAL
	}
	in, err := getFile(t, inFD)
	if err != 0 {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, outFD)
	if err != 0 {
		return 0, err
	}
	defer out.DecRef()
	if !in.IsReadable() || !out.IsWritable() {
		return 0, linux.EBADF
	}
	if out.StatusFlags()&unix.O_APPEND != 0 && outOffAddr != 0 {
		return 0, linux.EINVAL
	}
	inPipe, outPipe := isPipe(t, in), isPipe(t, out)
	if !inPipe && !outPipe {
		return 0, linux.EINVAL
	}
	if (inPipe && inOffAddr != 0) || (outPipe && outOffAddr != 0) {
		return 0, linux.ESPIPE
	}
	inOff, err := readOffset(t, inOffAddr)
	if err != 0 {
		return 0, err
	}
	outOff, err := readOffset(t, outOffAddr)
	if err != 0 {
		return 0, err
	}
	if (inOff >= 0 && in.IsStream()) || (outOff >= 0 && out.IsStream()) {
		return 0, linux.ESPIPE
	}
	if count == 0 {
		return 0, 0
	}
	if flags&spliceNonblock != 0 {
		if inPipe && in.Readiness(t, vfs.EventReadable|vfs.EventHUp) == 0 {
			return 0, linux.EAGAIN
		}
		if outPipe && out.Readiness(t, vfs.EventWritable|vfs.EventErr) == 0 {
			return 0, linux.EAGAIN
		}
	}
	count = min(count, maxRWCount)
	if inPipe && pipe.IsReadEnd(in) {
		return spliceFromPipe(t, in, out, outOff, outOffAddr, count, flags&spliceNonblock != 0 || in.StatusFlags()&unix.O_NONBLOCK != 0)
	}
	n, newIn, newOut, err := transfer(t, in, out, inOff, outOff, count)
	if inOff >= 0 {
		if werr := writeOffset(t, inOffAddr, newIn); werr != 0 {
			return 0, werr
		}
	}
	if outOff >= 0 {
		if werr := writeOffset(t, outOffAddr, newOut); werr != 0 {
			return 0, werr
		}
	}
	return result(n, err)
}

// spliceFromPipe moves up to count bytes from the pipe in to out: what out
// does not take stays in the pipe.
func spliceFromPipe(t *kernel.Task, in, out *vfs.FileDescription, outOff int64, outOffAddr uintptr, count uint64, nonblock bool) (uintptr, linux.Errno) {
	bp := ioBuffers.Get().(*[]byte)
	defer ioBuffers.Put(bp)
	buf := (*bp)[:min(count, uint64(len(*bp)))]
	n, err := pipe.Peek(t, in, buf, nonblock)
	if n == 0 {
		return 0, err
	}
	w := rwOp{f: out, off: outOff}
	m, err := w.write(t, buf[:n])
	if m > 0 {
		pipe.Consume(in, m)
		err = 0
	}
	if outOff >= 0 {
		if werr := writeOffset(t, outOffAddr, w.off); werr != 0 {
			return 0, werr
		}
	}
	return uintptr(m), err
}
