package syscalls

import (
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/kernel"
	"moat/sentry/vfs"
)

// maxRWCount is Linux's MAX_RW_COUNT: the most one read or write moves.
const maxRWCount = 0x7ffff000

// ioChunk is the size of the sentry buffer data moves through; reads and
// writes larger than this are done in several steps.
const ioChunk = 64 << 10

// ioBuffers recycles ioChunk-sized buffers (a cache, not state).
var ioBuffers = sync.Pool{New: func() any { b := make([]byte, ioChunk); return &b }}

// rwOp is one read or write of an I/O syscall: off < 0 uses the file offset.
type rwOp struct {
	f   *vfs.FileDescription
	off int64
}

func (o *rwOp) read(t *kernel.Task, dst []byte) (int, linux.Errno) {
	if o.off < 0 {
		return o.f.Read(t, dst)
	}
	n, err := o.f.PRead(t, dst, o.off)
	o.off += int64(n)
	return n, err
}

func (o *rwOp) write(t *kernel.Task, src []byte) (int, linux.Errno) {
	if o.off < 0 {
		return o.f.Write(t, src)
	}
	n, err := o.f.PWrite(t, src, o.off)
	o.off += int64(n)
	return n, err
}

// readToUser reads up to count bytes into application memory at addr.
// done tells whether the caller should stop (short read or error).
func readToUser(t *kernel.Task, o *rwOp, addr uintptr, count uint64) (total uint64, stop bool, err linux.Errno) {
	bp := ioBuffers.Get().(*[]byte)
	defer ioBuffers.Put(bp)
	buf := *bp
	for total < count {
		want := min(count-total, uint64(len(buf)))
		n, rerr := o.read(t, buf[:want])
		if n > 0 {
			if cerr := t.CopyOut(addr+uintptr(total), buf[:n]); cerr != 0 {
				// Deliver what fits before the fault, as Linux's short
				// copy does, and give the rest back to a seekable file.
				k := copyOutPartial(t, addr+uintptr(total), buf[:n])
				o.unread(t, n-k)
				total += uint64(k)
				return total, true, cerr
			}
			total += uint64(n)
		}
		if rerr != 0 {
			return total, true, rerr
		}
		if uint64(n) < want || o.f.IsStream() {
			return total, true, 0
		}
	}
	return total, false, 0
}

// writeFromUser writes count bytes from application memory at addr.
func writeFromUser(t *kernel.Task, o *rwOp, addr uintptr, count uint64) (total uint64, stop bool, err linux.Errno) {
	bp := ioBuffers.Get().(*[]byte)
	defer ioBuffers.Put(bp)
	buf := *bp
	for total < count {
		want := min(count-total, uint64(len(buf)))
		stop := false
		if cerr := t.CopyIn(addr+uintptr(total), buf[:want]); cerr != 0 {
			// Write what is readable before the fault.
			k := t.MM().CopyInPartial(addr+uintptr(total), buf[:want])
			if k == 0 {
				return total, true, cerr
			}
			want, stop = uint64(k), true
		}
		n, werr := o.write(t, buf[:want])
		total += uint64(n)
		if werr != 0 {
			return total, true, werr
		}
		if uint64(n) < want || stop {
			return total, true, 0
		}
	}
	return total, false, 0
}

// copyOutPartial copies the longest prefix of src that lands in mapped
// memory, a page at a time (only after a CopyOut of the whole failed).
func copyOutPartial(t *kernel.Task, addr uintptr, src []byte) int {
	done := 0
	for done < len(src) {
		a := addr + uintptr(done)
		chunk := min(len(src)-done, int(arch.PageSize-a%arch.PageSize))
		if t.CopyOut(a, src[done:done+chunk]) != 0 {
			break
		}
		done += chunk
	}
	return done
}

// unread gives back n bytes read but not delivered: the offset of a
// positional op, or the file offset of a seekable file. Bytes of a stream
// are lost, where Linux would have left them in the pipe.
func (o *rwOp) unread(t *kernel.Task, n int) {
	if n == 0 {
		return
	}
	if o.off >= 0 {
		o.off -= int64(n)
		return
	}
	if !o.f.IsStream() {
		o.f.Seek(t, -int64(n), unix.SEEK_CUR)
	}
}

// result turns a partial count and an error into a syscall result: data
// moved wins over the error, as on Linux.
func result(total uint64, err linux.Errno) (uintptr, linux.Errno) {
	if total > 0 {
		return uintptr(total), 0
	}
	return 0, err
}

func doRead(t *kernel.Task, fd int32, addr uintptr, count uint64, off int64) (uintptr, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if !f.IsReadable() {
		return 0, linux.EBADF
	}
	if d := f.Dentry(); d != nil && d.IsDir() {
		return 0, linux.EISDIR
	}
	if !userBuffer(addr, count) {
		return 0, linux.EFAULT
	}
	count = min(count, maxRWCount)
	if count == 0 {
		return 0, 0
	}
	o := rwOp{f: f, off: off}
	total, _, err := readToUser(t, &o, addr, count)
	return result(total, err)
}

func doWrite(t *kernel.Task, fd int32, addr uintptr, count uint64, off int64) (uintptr, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if !f.IsWritable() {
		return 0, linux.EBADF
	}
	if !userBuffer(addr, count) {
		return 0, linux.EFAULT
	}
	count = min(count, maxRWCount)
	if count == 0 {
		return 0, 0
	}
	if f.DiscardsWrites() {
		return uintptr(count), 0
	}
	o := rwOp{f: f, off: off}
	total, _, err := writeFromUser(t, &o, addr, count)
	return result(total, err)
}

// Read implements Linux syscall read(2).
func Read(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return doRead(t, args.Int(0), args.Pointer(1), uint64(args.SizeT(2)), -1)
}

// Write implements Linux syscall write(2).
func Write(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return doWrite(t, args.Int(0), args.Pointer(1), uint64(args.SizeT(2)), -1)
}

// Pread64 implements Linux syscall pread64(2).
func Pread64(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	off := args.Int64(3)
	if off < 0 {
		return 0, linux.EINVAL
	}
	return positional(t, args.Int(0), func() (uintptr, linux.Errno) {
		return doRead(t, args.Int(0), args.Pointer(1), uint64(args.SizeT(2)), off)
	})
}

// Pwrite64 implements Linux syscall pwrite64(2).
func Pwrite64(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	off := args.Int64(3)
	if off < 0 {
		return 0, linux.EINVAL
	}
	return positional(t, args.Int(0), func() (uintptr, linux.Errno) {
		return doWrite(t, args.Int(0), args.Pointer(1), uint64(args.SizeT(2)), off)
	})
}

// positional runs fn unless fd is a stream (ESPIPE).
func positional(t *kernel.Task, fd int32, fn func() (uintptr, linux.Errno)) (uintptr, linux.Errno) {
	f, err := getFile(t, fd)
	if err != 0 {
		return 0, err
	}
	stream := f.IsStream()
	f.DecRef()
	if stream {
		return 0, linux.ESPIPE
	}
	return fn()
}

// vectorIO moves data for readv/writev/preadv/pwritev.
func vectorIO(t *kernel.Task, args *arch.SyscallArguments, off int64, write bool) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	if write && !f.IsWritable() || !write && !f.IsReadable() {
		return 0, linux.EBADF
	}
	if off >= 0 && f.IsStream() {
		return 0, linux.ESPIPE
	}
	if d := f.Dentry(); !write && d != nil && d.IsDir() {
		return 0, linux.EISDIR
	}
	iovs, err := t.CopyInIovecs(args.Pointer(1), int(args.Int(2)))
	if err != 0 {
		return 0, err
	}
	o := rwOp{f: f, off: off}
	var total uint64
	for _, iov := range iovs {
		l := min(uint64(iov.Len), maxRWCount-total)
		if l == 0 {
			continue
		}
		var n uint64
		var stop bool
		if write {
			n, stop, err = writeFromUser(t, &o, iov.Base, l)
		} else {
			n, stop, err = readToUser(t, &o, iov.Base, l)
		}
		total += n
		if stop || total >= maxRWCount {
			break
		}
	}
	return result(total, err)
}

// Readv implements Linux syscall readv(2).
func Readv(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return vectorIO(t, args, -1, false)
}

// Writev implements Linux syscall writev(2).
func Writev(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return vectorIO(t, args, -1, true)
}

// Preadv implements Linux syscall preadv(2).
func Preadv(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.Int64(3) < 0 {
		return 0, linux.EINVAL
	}
	return vectorIO(t, args, args.Int64(3), false)
}

// Pwritev implements Linux syscall pwritev(2).
func Pwritev(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	if args.Int64(3) < 0 {
		return 0, linux.EINVAL
	}
	return vectorIO(t, args, args.Int64(3), true)
}

// Lseek implements Linux syscall lseek(2).
func Lseek(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	whence := args.Int(2)
	if whence < unix.SEEK_SET || whence > unix.SEEK_HOLE {
		return 0, linux.EINVAL
	}
	n, err := f.Seek(t, args.Int64(1), whence)
	return uintptr(n), err
}

// Fsync implements Linux syscall fsync(2).
func Fsync(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, f.Sync(t)
}

// Fdatasync implements Linux syscall fdatasync(2).
func Fdatasync(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return Fsync(t, args)
}

// Sync implements Linux syscall sync(2). Sandbox file systems keep data in
// memory or write it through to host fds, so there is nothing to flush.
func Sync(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	return 0, 0
}

// Syncfs implements Linux syscall syncfs(2).
func Syncfs(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	f.DecRef()
	return 0, 0
}

// Fallocate implements Linux syscall fallocate(2).
func Fallocate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, f.Allocate(t, args.Uint(1), args.Int64(2), args.Int64(3))
}

// Truncate implements Linux syscall truncate(2).
func Truncate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	length := args.Int64(1)
	if length < 0 {
		return 0, linux.EINVAL
	}
	tg, err := targetAt(t, unix.AT_FDCWD, args.Pointer(0), true, false)
	if err != 0 {
		return 0, err
	}
	return 0, t.Kernel().VFS().SetStatAt(t, &tg.op, &vfs.SetStatOptions{Mask: linux.STATX_SIZE, Size: uint64(length)})
}

// Ftruncate implements Linux syscall ftruncate(2).
func Ftruncate(t *kernel.Task, args *arch.SyscallArguments) (uintptr, linux.Errno) {
	f, err := getFile(t, args.Int(0))
	if err != 0 {
		return 0, err
	}
	defer f.DecRef()
	return 0, f.Truncate(t, args.Int64(1))
}

// userBuffer is Linux's access_ok: [addr, addr+count) must lie below the
// top of user space, whatever count is (even 0).
func userBuffer(addr uintptr, count uint64) bool {
	end := uint64(addr) + count
	return end >= uint64(addr) && end <= arch.MaxUserAddress
}
