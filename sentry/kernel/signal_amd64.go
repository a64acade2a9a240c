package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"

	"moat/sentry/abi/linux"
	"moat/sentry/arch"
)

// x86-64 signal frame layout (struct rt_sigframe):
//
//	pretcode  8    return address: sa_restorer
//	uc        304  struct ucontext: flags, link, stack_t, sigcontext, sigmask
//	info      128  siginfo
//
// The FP/XSAVE area lies above the frame, 64-byte aligned, pointed to by
// sigcontext.fpstate and followed by FP_XSTATE_MAGIC2.
const (
	ucOffset          = 8
	ucStackOffset     = ucOffset + 16
	ucMctxOffset      = ucOffset + 40
	ucMaskOffset      = ucMctxOffset + 256
	infoOffset        = ucMaskOffset + 8
	frameSize         = infoOffset + 128
	redZone           = 128
	fpXstateMagic2    = 0x46505845
	fpXstateMagic1    = 0x46505853
	ucFPXstate        = 1
	ucSigcontextSS    = 2
	ucStrictRestoreSS = 4
	// maxXstate bounds the XSAVE area accepted back from sigreturn.
	maxXstate = 1 << 16
	// sigReturnAhead is how much rt_sigreturn reads past the frame in
	// the hope of finding the FP state there: the padding and an XSAVE
	// area of up to 4 KiB (what the platform hands out).
	sigReturnAhead = 128 + 4096
)

// sigcontext field indices (in 8-byte words).
const (
	scR8 = iota
	scR9
	scR10
	scR11
	scR12
	scR13
	scR14
	scR15
	scRDI
	scRSI
	scRBP
	scRBX
	scRDX
	scRAX
	scRCX
	scRSP
	scRIP
	scEFLAGS
	scSegs // cs, gs, fs, ss (16 bits each)
	scErr
	scTrapno
	scOldmask
	scCR2
	scFPState
)

// setupSignalFrame builds a handler frame for info on the application
// stack (or the alternate stack) and points the registers at the handler.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) setupSignalFrame(info *linux.SignalInfo, act *linux.SigAction) error {
	if act.Flags&linux.SA_RESTORER == 0 {
		// x86-64 has no vDSO sigreturn trampoline: libc always sets
		// SA_RESTORER; without it Linux kills the process too.
		return errors.New("no SA_RESTORER")
	}
	if !t.rseqAbortForSignal() {
		return errors.New("bad rseq critical section descriptor")
	}
	regs := &t.regs
	fp, err := t.thread.FPState()
	if err != nil {
		return err
	}
	alt := t.AltStack()
	sp := regs.Rsp
	onAlt := alt.Flags&linux.SS_DISABLE == 0 && alt.Size != 0 && sp > alt.Sp && sp <= alt.Sp+alt.Size
	if act.Flags&linux.SA_ONSTACK != 0 && alt.Flags&linux.SS_DISABLE == 0 && alt.Size != 0 && !onAlt {
		sp = alt.Sp + alt.Size
	} else {
		sp -= redZone
	}
	// FP state, 64-byte aligned, with the trailing magic.
	fpAddr := (sp - uint64(len(fp)) - 4) &^ 63
	frame := ((fpAddr - frameSize) &^ 15) - 8

	oldMask := t.SigMask()
	if t.savedMask != nil {
		oldMask = *t.savedMask
		t.savedMask = nil
	}
	b := make([]byte, frameSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], act.Restorer)
	le.PutUint64(b[ucOffset:], ucFPXstate|ucSigcontextSS|ucStrictRestoreSS)
	// uc_stack: the alternate stack as it was.
	altFlags := alt.Flags
	if alt.Size == 0 && alt.Sp == 0 {
		altFlags = linux.SS_DISABLE
	}
	le.PutUint64(b[ucStackOffset:], alt.Sp)
	le.PutUint32(b[ucStackOffset+8:], altFlags)
	le.PutUint64(b[ucStackOffset+16:], alt.Size)
	mc := b[ucMctxOffset : ucMctxOffset+256]
	put := func(i int, v uint64) { le.PutUint64(mc[8*i:], v) }
	put(scR8, regs.R8)
	put(scR9, regs.R9)
	put(scR10, regs.R10)
	put(scR11, regs.R11)
	put(scR12, regs.R12)
	put(scR13, regs.R13)
	put(scR14, regs.R14)
	put(scR15, regs.R15)
	put(scRDI, regs.Rdi)
	put(scRSI, regs.Rsi)
	put(scRBP, regs.Rbp)
	put(scRBX, regs.Rbx)
	put(scRDX, regs.Rdx)
	put(scRAX, regs.Rax)
	put(scRCX, regs.Rcx)
	put(scRSP, regs.Rsp)
	put(scRIP, regs.Rip)
	put(scEFLAGS, regs.Eflags)
	put(scSegs, regs.Cs&0xffff|(regs.Gs&0xffff)<<16|(regs.Fs&0xffff)<<32|(regs.Ss&0xffff)<<48)
	if sig := info.Signo(); sig == 11 || sig == 7 {
		put(scTrapno, 14) // page fault
		put(scCR2, info.Addr())
	}
	put(scOldmask, uint64(oldMask))
	put(scFPState, fpAddr)
	le.PutUint64(b[ucMaskOffset:], uint64(oldMask))
	copy(b[infoOffset:], info[:])

	// The fxsave area's software-reserved bytes tell user code (and
	// rt_sigreturn) what follows, as Linux writes them: struct
	// _fpx_sw_bytes. PTRACE_GETREGSET leaves the XCR0 mask at 464, the
	// xfeatures of the area.
	if len(fp) >= 512 {
		xfeatures := le.Uint64(fp[464:])
		clear(fp[464:512])
		le.PutUint32(fp[464:], fpXstateMagic1)
		le.PutUint32(fp[468:], uint32(len(fp)+4)) // extended_size, with magic2
		le.PutUint64(fp[472:], xfeatures)
		le.PutUint32(fp[480:], uint32(len(fp))) // xstate_size
	}
	// One write for the frame, the few bytes of padding below the FP
	// state (zeroed: they lie below the red zone, where nothing of the
	// application's lives) and the FP state with its magic.
	all := make([]byte, fpAddr-frame+uint64(len(fp))+4)
	copy(all, b)
	copy(all[fpAddr-frame:], fp)
	le.PutUint32(all[len(all)-4:], fpXstateMagic2)
	if errno := t.CopyOut(uintptr(frame), all); errno != 0 {
		return fmt.Errorf("writing frame: %v", errno)
	}

	// Enter the handler.
	regs.Rsp = frame
	regs.Rip = act.Handler
	regs.Rdi = uint64(info.Signo())
	regs.Rsi = frame + infoOffset
	regs.Rdx = frame + ucOffset
	regs.Rax = 0
	regs.Eflags &^= 0x40100 | 0x400 // TF, AC... and DF: a clean flags state
	regs.Cs, regs.Ss = arch.NewRegisters(0, 0).Cs, arch.NewRegisters(0, 0).Ss
	if act.Flags&linux.SA_ONSTACK != 0 && alt.Flags&linux.SS_AUTODISARM != 0 {
		t.SetAltStack(linux.SignalStack{Flags: linux.SS_DISABLE})
	}
	mask := oldMask | linux.SigSet(act.Mask)
	if act.Flags&linux.SA_NODEFER == 0 {
		mask |= linux.SignalSetOf(info.Signo())
	}
	t.SetSigMask(mask)
	return nil
}

// SigReturn restores the context saved by setupSignalFrame, as
// rt_sigreturn(2). A bad frame kills the process with SIGSEGV.
//
// Preconditions:
// - Runs on the task goroutine.
func (t *Task) SigReturn() linux.Errno {
	regs := &t.regs
	frame := regs.Rsp - 8
	// The FP state usually follows the frame (setupSignalFrame puts it
	// there): read both at once, and what is missing below.
	buf := make([]byte, frameSize+sigReturnAhead)
	n := t.mm.CopyInPartial(uintptr(frame), buf)
	if n < frameSize || !t.mm.UserRange(uintptr(frame), frameSize) {
		t.forceSignal(linux.NewSignalInfo(11, linux.SI_KERNEL))
		return 0
	}
	b := buf[:frameSize]
	le := binary.LittleEndian
	mc := b[ucMctxOffset : ucMctxOffset+256]
	get := func(i int) uint64 { return le.Uint64(mc[8*i:]) }
	fpAddr := get(scFPState)
	if fpAddr != 0 {
		var have []byte
		if off := fpAddr - frame; fpAddr >= frame+frameSize && off < uint64(n) && t.mm.UserRange(uintptr(fpAddr), uintptr(uint64(n)-off)) {
			have = buf[off:n]
		}
		if err := t.restoreFP(uintptr(fpAddr), have); err != nil {
			t.Debugf("rt_sigreturn: %v", err)
			t.forceSignal(linux.NewSignalInfo(11, linux.SI_KERNEL))
			return 0
		}
	}
	regs.R8, regs.R9, regs.R10, regs.R11 = get(scR8), get(scR9), get(scR10), get(scR11)
	regs.R12, regs.R13, regs.R14, regs.R15 = get(scR12), get(scR13), get(scR14), get(scR15)
	regs.Rdi, regs.Rsi, regs.Rbp, regs.Rbx = get(scRDI), get(scRSI), get(scRBP), get(scRBX)
	regs.Rdx, regs.Rax, regs.Rcx, regs.Rsp = get(scRDX), get(scRAX), get(scRCX), get(scRSP)
	regs.Rip = get(scRIP)
	// Only the flags user code may change come back (Linux's FIX_EFLAGS).
	const fixEflags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x200000 | 0x10000
	regs.Eflags = regs.Eflags&^fixEflags | get(scEFLAGS)&fixEflags
	user := arch.NewRegisters(0, 0)
	regs.Cs, regs.Ss = user.Cs, user.Ss
	regs.Orig_rax = ^uint64(0) // no syscall restart on the restored context
	// restart_syscall after a handler is EINTR.
	t.restartBlock = nil
	t.SetSigMask(linux.SigSet(le.Uint64(b[ucMaskOffset:])))
	// Restore the alternate stack settings saved in uc_stack.
	ss := linux.SignalStack{Sp: le.Uint64(b[ucStackOffset:]), Flags: le.Uint32(b[ucStackOffset+8:]), Size: le.Uint64(b[ucStackOffset+16:])}
	if ss.Flags&linux.SS_DISABLE != 0 {
		ss = linux.SignalStack{Flags: linux.SS_DISABLE}
	} else if ss.Size >= linux.MINSIGSTKSZ {
		ss.Flags &= linux.SS_AUTODISARM
	} else {
		ss = t.AltStack()
	}
	t.SetAltStack(ss)
	return 0
}

// restoreFP loads an XSAVE area written by setupSignalFrame (or by the
// application) back into the thread; have holds the bytes at addr that
// were already read (possibly none).
func (t *Task) restoreFP(addr uintptr, have []byte) error {
	// The fxsave area's software-reserved bytes (464..511) describe the
	// extended state: magic1 @464, extended_size @468, xfeatures @472,
	// xstate_size @480.
	hdr := have
	if len(hdr) < 512 {
		hdr = make([]byte, 512)
		if errno := t.CopyIn(addr, hdr); errno != 0 {
			return fmt.Errorf("reading FP state: %v", errno)
		}
	}
	le := binary.LittleEndian
	size := 512
	if le.Uint32(hdr[464:]) == fpXstateMagic1 {
		xsize := int(le.Uint32(hdr[480:])) // xstate_size
		if xsize < 512 || xsize > maxXstate {
			return fmt.Errorf("bad xstate size %d", xsize)
		}
		size = xsize
	}
	area := have
	if len(area) < size {
		area = make([]byte, size)
		if errno := t.CopyIn(addr, area); errno != 0 {
			return fmt.Errorf("reading FP state: %v", errno)
		}
	}
	// The platform keeps whatever part of the thread's area the frame
	// does not cover.
	return t.thread.SetFPState(area[:size])
}
