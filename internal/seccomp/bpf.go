package seccomp

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Offsets into struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// MaxInstructions is the kernel's limit on a filter's length (BPF_MAXINSNS).
const MaxInstructions = 4096

// noLabel marks an instruction field that needs no label resolution.
const noLabel = -1

// insn is one BPF instruction whose jump targets may still be labels.
type insn struct {
	unix.SockFilter
	jt, jf, ja int // labels, or noLabel
}

// asm assembles a BPF program with forward labels.
type asm struct {
	prog   []insn
	labels []int // label -> instruction index, -1 until placed
}

func (a *asm) newLabel() int {
	a.labels = append(a.labels, -1)
	return len(a.labels) - 1
}

func (a *asm) place(l int) {
	a.labels[l] = len(a.prog)
}

func (a *asm) stmt(code uint16, k uint32) {
	a.prog = append(a.prog, insn{unix.SockFilter{Code: code, K: k}, noLabel, noLabel, noLabel})
}

// jump emits a conditional jump to label jt when the condition holds and to
// jf otherwise; noLabel means the next instruction.
func (a *asm) jump(cond uint16, k uint32, jt, jf int) {
	a.prog = append(a.prog, insn{unix.SockFilter{Code: unix.BPF_JMP | cond | unix.BPF_K, K: k}, jt, jf, noLabel})
}

// ja emits an unconditional jump to label l.
func (a *asm) jumpAlways(l int) {
	a.prog = append(a.prog, insn{unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JA}, noLabel, noLabel, l})
}

func (a *asm) ret(act Action) {
	a.stmt(unix.BPF_RET|unix.BPF_K, uint32(act))
}

func (a *asm) load(off uint32) {
	a.stmt(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, off)
}

// finish resolves labels into offsets.
func (a *asm) finish() ([]unix.SockFilter, error) {
	out := make([]unix.SockFilter, len(a.prog))
	for i, in := range a.prog {
		f := in.SockFilter
		rel := func(l int) (int, error) {
			if l == noLabel {
				return 0, nil
			}
			t := a.labels[l]
			if t < 0 {
				return 0, fmt.Errorf("seccomp: label %d never placed", l)
			}
			if t <= i {
				return 0, fmt.Errorf("seccomp: backward jump at %d", i)
			}
			return t - i - 1, nil
		}
		jt, err := rel(in.jt)
		if err != nil {
			return nil, err
		}
		jf, err := rel(in.jf)
		if err != nil {
			return nil, err
		}
		if jt > 255 || jf > 255 {
			return nil, fmt.Errorf("seccomp: conditional jump at %d too long", i)
		}
		f.Jt, f.Jf = uint8(jt), uint8(jf)
		if in.ja != noLabel {
			k, err := rel(in.ja)
			if err != nil {
				return nil, err
			}
			f.K = uint32(k)
		}
		out[i] = f
	}
	return out, nil
}

// Build compiles the filter into a BPF program for the native architecture.
func (f *Filter) Build() ([]unix.SockFilter, error) {
	var a asm
	deflt := a.newLabel()
	// Foreign architectures and the x32 ABI get the default action
	// whatever the call: their numbers mean different calls. The returns
	// are inlined, as deflt may be further than a conditional jump
	// reaches.
	native := a.newLabel()
	a.load(offArch)
	a.jump(unix.BPF_JEQ, auditArch, native, noLabel)
	a.ret(f.def)
	a.place(native)
	a.load(offNr)
	if x32Bit != 0 {
		notX32 := a.newLabel()
		a.jump(unix.BPF_JGE, x32Bit, noLabel, notX32)
		a.ret(f.def)
		a.place(notX32)
	}
	if err := f.search(&a, f.Syscalls(), deflt); err != nil {
		return nil, err
	}
	a.place(deflt)
	a.ret(f.def)
	prog, err := a.finish()
	if err != nil {
		return nil, err
	}
	if len(prog) > MaxInstructions {
		return nil, fmt.Errorf("seccomp: program has %d instructions, limit %d", len(prog), MaxInstructions)
	}
	return prog, nil
}

// leafSize is the number of system calls below which search compares
// numbers one by one instead of splitting further.
const leafSize = 4

// search emits a binary search over the sorted numbers nrs, with the system
// call number in the accumulator; numbers not found jump to deflt.
func (f *Filter) search(a *asm, nrs []uint32, deflt int) error {
	if len(nrs) <= leafSize {
		for _, nr := range nrs {
			e := f.entries[nr]
			next := a.newLabel()
			if len(e.rules) == 0 {
				a.jump(unix.BPF_JEQ, nr, noLabel, next)
			} else {
				// A block of rules may be longer than a
				// conditional jump reaches: miss through a JA.
				hit := a.newLabel()
				a.jump(unix.BPF_JEQ, nr, hit, noLabel)
				a.jumpAlways(next)
				a.place(hit)
			}
			if err := f.block(a, e); err != nil {
				return err
			}
			a.place(next)
		}
		a.jumpAlways(deflt)
		return nil
	}
	mid := len(nrs) / 2
	right := a.newLabel()
	skip := a.newLabel()
	a.jump(unix.BPF_JGE, nrs[mid], noLabel, skip)
	a.jumpAlways(right)
	a.place(skip)
	if err := f.search(a, nrs[:mid], deflt); err != nil {
		return err
	}
	a.place(right)
	return f.search(a, nrs[mid:], deflt)
}

// block emits the code for one system call: its action, guarded by its rules.
// Every path through a block ends in a return.
func (f *Filter) block(a *asm, e entry) error {
	if len(e.rules) == 0 {
		a.ret(e.action)
		return nil
	}
	for _, r := range e.rules {
		next := a.newLabel()
		for _, arg := range r {
			if arg.Index < 0 || arg.Index > 5 {
				return fmt.Errorf("seccomp: argument index %d out of range", arg.Index)
			}
			off := uint32(offArgs + 8*arg.Index)
			// Little-endian: the low word comes first.
			emitWord(a, off, uint32(arg.Mask), uint32(arg.Value), next)
			emitWord(a, off+4, uint32(arg.Mask>>32), uint32(arg.Value>>32), next)
		}
		a.ret(e.action)
		a.place(next)
	}
	a.ret(f.def)
	return nil
}

// emitWord checks that the 32-bit word at off, masked with mask, equals v,
// jumping to fail if not.
func emitWord(a *asm, off, mask, v uint32, fail int) {
	switch {
	case mask == 0 && v == 0:
		return
	case v&^mask != 0:
		a.jumpAlways(fail) // can never hold
		return
	}
	a.load(off)
	if mask != ^uint32(0) {
		a.stmt(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, mask)
	}
	a.jump(unix.BPF_JEQ, v, noLabel, fail)
}
