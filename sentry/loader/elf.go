// Package loader loads ELF programs into a fresh address space and builds
// their initial stack (argv, envp, auxv), as execve(2) does.
package loader

import (
	"encoding/binary"

	"moat/sentry/abi/linux"
)

// ELF constants used by the loader.
const (
	etExec     = 2
	etDyn      = 3
	emX86_64   = 62
	ptLoad     = 1
	ptInterp   = 3
	ptPhdr     = 6
	ptGNUStack = 0x6474e551
	pfX        = 1
	pfW        = 2
	pfR        = 4
	ehdrSize   = 64
	phdrSize   = 56
	maxPhnum   = 1024
)

// elfInfo is what the loader needs from an ELF file's headers.
type elfInfo struct {
	typ       uint16
	entry     uint64
	phoff     uint64
	phnum     int
	phdrs     []phdr
	interp    string
	execStack bool
}

type phdr struct {
	typ, flags                       uint32
	off, vaddr, filesz, memsz, align uint64
}

// File is an executable the loader reads headers from and maps segments of.
type File interface {
	ReadAt(p []byte, off int64) (int, error)
	// HostFD returns a host fd for mapping the file, if it has one.
	HostFD() (int, bool)
}

// parseELF reads and validates the ELF and program headers. It returns
// ENOEXEC for anything that is not a loadable x86-64 ELF executable.
func parseELF(f File) (*elfInfo, linux.Errno) {
	var h [ehdrSize]byte
	if n, _ := f.ReadAt(h[:], 0); n < 4 || string(h[:4]) != "\x7fELF" {
		return nil, linux.ENOEXEC
	} else if n < ehdrSize {
		return nil, linux.ENOEXEC
	}
	le := binary.LittleEndian
	if h[4] != 2 || h[5] != 1 || h[6] != 1 {
		return nil, linux.ENOEXEC // not 64-bit little-endian version 1
	}
	info := &elfInfo{typ: le.Uint16(h[16:])}
	if info.typ != etExec && info.typ != etDyn {
		return nil, linux.ENOEXEC
	}
	if le.Uint16(h[18:]) != emX86_64 {
		return nil, linux.ENOEXEC
	}
	info.entry = le.Uint64(h[24:])
	info.phoff = le.Uint64(h[32:])
	if le.Uint16(h[54:]) != phdrSize {
		return nil, linux.ENOEXEC
	}
	info.phnum = int(le.Uint16(h[56:]))
	if info.phnum == 0 || info.phnum > maxPhnum || info.phoff > 1<<32 {
		return nil, linux.ENOEXEC
	}
	buf := make([]byte, info.phnum*phdrSize)
	if n, _ := f.ReadAt(buf, int64(info.phoff)); n != len(buf) {
		return nil, linux.ENOEXEC
	}
	for i := 0; i < info.phnum; i++ {
		b := buf[i*phdrSize:]
		p := phdr{
			typ: le.Uint32(b[0:]), flags: le.Uint32(b[4:]), off: le.Uint64(b[8:]),
			vaddr: le.Uint64(b[16:]), filesz: le.Uint64(b[32:]), memsz: le.Uint64(b[40:]), align: le.Uint64(b[48:]),
		}
		switch p.typ {
		case ptLoad:
			if p.filesz > p.memsz || p.vaddr+p.memsz < p.vaddr || p.vaddr+p.memsz > 1<<47 ||
				p.off+p.filesz < p.off || (p.off&0xfff) != (p.vaddr&0xfff) {
				return nil, linux.ENOEXEC
			}
		case ptInterp:
			if p.filesz < 2 || p.filesz > 4096 {
				return nil, linux.ENOEXEC
			}
			s := make([]byte, p.filesz)
			if n, _ := f.ReadAt(s, int64(p.off)); n != len(s) || s[len(s)-1] != 0 {
				return nil, linux.ENOEXEC
			}
			info.interp = string(s[:len(s)-1])
		case ptGNUStack:
			info.execStack = p.flags&pfX != 0
		}
		info.phdrs = append(info.phdrs, p)
	}
	return info, 0
}
