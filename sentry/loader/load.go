package loader

import (
	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
	"moat/sentry/mm"
)

// Opener opens the program interpreter named by PT_INTERP.
type Opener func(path string) (File, linux.Errno)

// Args describe a program to load.
type Args struct {
	MM *mm.MemoryManager
	// File is the executable; Filename is the path it was run as
	// (AT_EXECFN) and Name its identity in /proc/PID/maps.
	File     File
	Filename string
	Name     string
	Dev, Ino uint64
	Argv     []string
	Envv     []string
	// OpenInterp opens PT_INTERP; nil refuses dynamic programs.
	OpenInterp Opener
	UID, EUID  uint32
	GID, EGID  uint32
	// NoRandomize lays the program out at fixed places (personality
	// ADDR_NO_RANDOMIZE): no random PIE bias or brk gap.
	NoRandomize bool
}

// Result is where the program starts.
type Result struct {
	Entry, SP uintptr
}

// dynBase is where an ET_DYN main program is placed (Linux's
// ELF_ET_DYN_BASE on x86-64), before randomisation.
const dynBase = 0x555555554000

// Load maps the program (and its interpreter) and builds the initial stack.
//
// Preconditions:
//   - Runs on the OS thread bound to a.MM's address space.
func Load(a Args) (Result, linux.Errno) {
	info, errno := parseELF(a.File)
	if errno != 0 {
		return Result{}, errno
	}
	bias := uintptr(0)
	if info.typ == etDyn {
		bias = dynBase + uintptr(a.randPages(0x3fff))*arch.PageSize
	}
	loaded, errno := mapSegments(a.MM, a.File, info, bias, a.Name, a.Dev, a.Ino)
	if errno != 0 {
		return Result{}, errno
	}
	a.MM.SetBrkStart(loaded.end + uintptr(a.randPages(0x1fff))*arch.PageSize)
	entry := uintptr(info.entry) + bias
	var interpBase uintptr
	if info.interp != "" {
		if a.OpenInterp == nil {
			return Result{}, linux.ENOEXEC
		}
		f, errno := a.OpenInterp(info.interp)
		if errno != 0 {
			return Result{}, errno
		}
		ii, errno := parseELF(f)
		if errno != 0 || ii.typ != etDyn || ii.interp != "" {
			return Result{}, linux.ELIBBAD
		}
		il, errno := mapSegments(a.MM, f, ii, 0, info.interp, 0, 0)
		if errno != 0 {
			return Result{}, errno
		}
		interpBase = il.base
		entry = uintptr(ii.entry) + il.base
	}
	sp, errno := buildStack(a, info, loaded, uintptr(info.entry)+bias, interpBase)
	if errno != 0 {
		return Result{}, errno
	}
	return Result{Entry: entry, SP: sp}, 0
}

// loadedImage describes where an ELF image landed.
type loadedImage struct {
	base uintptr // load bias (0 for ET_EXEC at its own addresses)
	phdr uintptr // address of the program headers in memory
	end  uintptr // end of the highest segment
}

func protOf(flags uint32) int {
	p := 0
	if flags&pfR != 0 {
		p |= unix.PROT_READ
	}
	if flags&pfW != 0 {
		p |= unix.PROT_WRITE
	}
	if flags&pfX != 0 {
		p |= unix.PROT_EXEC
	}
	return p
}

func pageDown(a uintptr) uintptr { return a &^ (arch.PageSize - 1) }
func pageUp(a uintptr) uintptr   { return (a + arch.PageSize - 1) &^ (arch.PageSize - 1) }

// mapSegments maps every PT_LOAD of an image. For ET_DYN images with bias
// 0, it first reserves the whole span wherever mmap places it.
func mapSegments(m *mm.MemoryManager, f File, info *elfInfo, bias uintptr, name string, dev, ino uint64) (loadedImage, linux.Errno) {
	lo, hi := ^uintptr(0), uintptr(0)
	for _, p := range info.phdrs {
		if p.typ != ptLoad {
			continue
		}
		lo = min(lo, pageDown(uintptr(p.vaddr)))
		hi = max(hi, pageUp(uintptr(p.vaddr+p.memsz)))
	}
	if hi == 0 {
		return loadedImage{}, linux.ENOEXEC
	}
	// Reserve the span so that segments land together.
	fixed := info.typ == etExec || bias != 0
	at, errno := m.MMap(mm.MMapOpts{Addr: lo + bias, Length: hi - lo, Prot: unix.PROT_NONE, Fixed: fixed})
	if errno != 0 {
		return loadedImage{}, errno
	}
	if !fixed {
		bias = at - lo
	}
	img := loadedImage{base: bias, end: hi + bias}
	hostFD, hasFD := f.HostFD()
	for _, p := range info.phdrs {
		if p.typ != ptLoad || p.memsz == 0 {
			continue
		}
		prot := protOf(p.flags)
		start := pageDown(uintptr(p.vaddr)) + bias
		fileEnd := uintptr(p.vaddr+p.filesz) + bias
		memEnd := uintptr(p.vaddr+p.memsz) + bias
		off := int64(p.off) - int64(uintptr(p.vaddr)-pageDown(uintptr(p.vaddr)))
		if p.filesz > 0 {
			length := pageUp(fileEnd) - start
			if hasFD {
				o := mm.MMapOpts{Addr: start, Length: length, Prot: prot | unix.PROT_WRITE*boolInt(memEnd > fileEnd && fileEnd&(arch.PageSize-1) != 0),
					Fixed: true, File: fdMappable(hostFD), Offset: off, MaxProt: 7, Name: name, Dev: dev, Ino: ino}
				if _, errno := m.MMap(o); errno != 0 {
					return loadedImage{}, errno
				}
			} else if errno := copySegment(m, f, start, length, off, prot); errno != 0 {
				return loadedImage{}, errno
			}
			// Zero the rest of the last file page (the start of .bss).
			if memEnd > fileEnd {
				if tail := pageUp(fileEnd) - fileEnd; tail > 0 && tail < arch.PageSize {
					if errno := m.CopyOut(fileEnd, make([]byte, tail)); errno != 0 {
						return loadedImage{}, errno
					}
					if hasFD && prot&unix.PROT_WRITE == 0 {
						if errno := m.MProtect(pageDown(fileEnd), arch.PageSize, prot); errno != 0 {
							return loadedImage{}, errno
						}
					}
				}
			}
			start = pageUp(fileEnd)
		}
		if memEnd > start {
			if _, errno := m.MMap(mm.MMapOpts{Addr: start, Length: pageUp(memEnd) - start, Prot: prot, Fixed: true}); errno != 0 {
				return loadedImage{}, errno
			}
		}
	}
	// Where are the program headers in memory?
	for _, p := range info.phdrs {
		if p.typ == ptPhdr {
			img.phdr = uintptr(p.vaddr) + bias
		}
	}
	if img.phdr == 0 {
		for _, p := range info.phdrs {
			if p.typ == ptLoad && info.phoff >= p.off && info.phoff < p.off+p.filesz {
				img.phdr = uintptr(p.vaddr+info.phoff-p.off) + bias
				break
			}
		}
	}
	return img, 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// copySegment fills an anonymous mapping with file data, for files that
// have no host fd.
func copySegment(m *mm.MemoryManager, f File, start, length uintptr, off int64, prot int) linux.Errno {
	if _, errno := m.MMap(mm.MMapOpts{Addr: start, Length: length, Prot: unix.PROT_READ | unix.PROT_WRITE, Fixed: true}); errno != 0 {
		return errno
	}
	buf := make([]byte, 64<<10)
	for done := uintptr(0); done < length; {
		n := min(uintptr(len(buf)), length-done)
		got, _ := f.ReadAt(buf[:n], off+int64(done))
		if got <= 0 {
			break
		}
		if errno := m.CopyOut(start+done, buf[:got]); errno != 0 {
			return errno
		}
		done += uintptr(got)
	}
	return m.MProtect(start, length, prot)
}

// fdMappable adapts a host fd to mm.Mappable.
type fdMappable int

func (f fdMappable) HostFD() (int, bool) { return int(f), true }

// randPages returns a random page count under mask, or 0 without
// randomisation.
func (a *Args) randPages(mask uint64) uint64 {
	if a.NoRandomize {
		return 0
	}
	return randPages(mask)
}
