package loader

import (
	"crypto/rand"
	"encoding/binary"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/mm"
)

// Auxiliary vector keys.
const (
	atNull        = 0
	atPhdr        = 3
	atPhent       = 4
	atPhnum       = 5
	atPagesz      = 6
	atBase        = 7
	atFlags       = 8
	atEntry       = 9
	atUID         = 11
	atEUID        = 12
	atGID         = 13
	atEGID        = 14
	atPlatform    = 15
	atHwcap       = 16
	atClktck      = 17
	atSecure      = 23
	atRandom      = 25
	atHwcap2      = 26
	atExecfn      = 31
	atSysinfoEhdr = 33
	atMinsigstksz = 51
)

var (
	hostAuxvOnce sync.Once
	hostAuxv     map[uint64]uint64
)

// hostAux returns a value from the sentry's own auxiliary vector (the CPU
// facts AT_HWCAP, AT_HWCAP2, AT_MINSIGSTKSZ), or 0.
func hostAux(key uint64) uint64 {
	hostAuxvOnce.Do(func() {
		hostAuxv = map[uint64]uint64{}
		b, err := os.ReadFile("/proc/self/auxv")
		if err != nil {
			return
		}
		for i := 0; i+16 <= len(b); i += 16 {
			hostAuxv[binary.LittleEndian.Uint64(b[i:])] = binary.LittleEndian.Uint64(b[i+8:])
		}
	})
	return hostAuxv[key]
}

// PrimeHostAuxv reads the sentry's auxv now, before /proc goes away.
func PrimeHostAuxv() { hostAux(0) }

func randPages(mask uint64) uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) & mask
}

// buildStack maps the main stack and writes argc, argv, envp, auxv and the
// strings they point to, in one copy. It returns the initial stack pointer.
func buildStack(a Args, info *elfInfo, img loadedImage, entry, interpBase uintptr) (uintptr, linux.Errno) {
	m := a.MM
	top := m.StackTop()
	prot := unix.PROT_READ | unix.PROT_WRITE
	if info.execStack {
		prot |= unix.PROT_EXEC
	}
	if _, errno := m.MMap(mm.MMapOpts{Addr: top - mm.DefaultStackSize, Length: mm.DefaultStackSize, Prot: prot,
		Fixed: true, GrowsDown: true, Name: "[stack]"}); errno != 0 {
		return 0, errno
	}
	// Strings, laid out downwards from the top: execfn, envp, argv,
	// platform, 16 random bytes.
	var strs []byte
	push := func(s []byte) uintptr {
		strs = append(s, strs...)
		return uintptr(len(strs)) // distance from top
	}
	execfn := push(append([]byte(a.Filename), 0))
	envOff := make([]uintptr, len(a.Envv))
	for i := len(a.Envv) - 1; i >= 0; i-- {
		envOff[i] = push(append([]byte(a.Envv[i]), 0))
	}
	argOff := make([]uintptr, len(a.Argv))
	for i := len(a.Argv) - 1; i >= 0; i-- {
		argOff[i] = push(append([]byte(a.Argv[i]), 0))
	}
	platform := push([]byte("x86_64\x00"))
	rnd := make([]byte, 16)
	rand.Read(rnd)
	random := push(rnd)
	if len(strs) > 128<<10*16 { // beyond ARG_MAX-ish limits
		return 0, linux.E2BIG
	}
	strBase := top - uintptr(len(strs))
	addr := func(off uintptr) uintptr { return top - off }

	auxv := []uint64{
		atSysinfoEhdr, uint64(m.AddressSpace().VDSO()),
		atMinsigstksz, hostAux(atMinsigstksz),
		atHwcap, hostAux(atHwcap),
		atPagesz, 4096,
		atClktck, 100,
		atPhdr, uint64(img.phdr),
		atPhent, phdrSize,
		atPhnum, uint64(info.phnum),
		atBase, uint64(interpBase),
		atFlags, 0,
		atEntry, uint64(entry),
		atUID, uint64(a.UID),
		atEUID, uint64(a.EUID),
		atGID, uint64(a.GID),
		atEGID, uint64(a.EGID),
		atSecure, 0,
		atRandom, uint64(addr(random)),
		atHwcap2, hostAux(atHwcap2),
		atExecfn, uint64(addr(execfn)),
		atPlatform, uint64(addr(platform)),
		atNull, 0,
	}
	// Pointer block: argc, argv..., NULL, envp..., NULL, auxv.
	words := 1 + len(a.Argv) + 1 + len(a.Envv) + 1 + len(auxv)
	sp := (strBase - uintptr(words*8)) &^ 15
	blk := make([]byte, int(top-sp))
	le := binary.LittleEndian
	w := 0
	put := func(v uint64) { le.PutUint64(blk[w*8:], v); w++ }
	put(uint64(len(a.Argv)))
	for _, o := range argOff {
		put(uint64(addr(o)))
	}
	put(0)
	for _, o := range envOff {
		put(uint64(addr(o)))
	}
	put(0)
	for _, v := range auxv {
		put(v)
	}
	copy(blk[strBase-sp:], strs)
	if errno := m.CopyOut(sp, blk); errno != 0 {
		return 0, errno
	}
	argvStart := addr(argOff[0])
	if len(a.Argv) == 0 {
		argvStart = addr(platform)
	}
	envStart, envEnd := addr(execfn), addr(execfn)
	if len(a.Envv) > 0 {
		envStart = addr(envOff[0])
	}
	argvEnd := argvStart
	if len(a.Argv) > 0 {
		// argv strings end where envp strings (or execfn) begin.
		argvEnd = envStart
	}
	m.SetExecutable(a.Name, argvStart, argvEnd, envStart, envEnd, auxv)
	m.ShowCommand()
	return sp, 0
}
