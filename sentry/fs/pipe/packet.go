package pipe

// Packet mode (pipe2(O_DIRECT), or F_SETFL O_DIRECT on a write end), as
// Linux's pipe buffers carry it: a write through an O_DIRECT end is cut
// into packets of at most PIPE_BUF bytes, each in a buffer slot of its
// own (a pipe has capacity/PIPE_BUF slots: 16 by default); a read that
// meets a packet returns what it read so far plus as much of the packet
// as fits, drops the packet's rest and stops there. Plain bytes written
// without O_DIRECT keep merging as before.
//
// While the pipe holds no packet, segs is nil and the pipe is the plain
// byte buffer of pipe.go, counted in bytes. Once a packet is written,
// segs describes data run by run until the pipe drains, and space is
// counted in slots: a packet takes one, a run of plain bytes one per
// PIPE_BUF started. (Linux also merges the first len%PIPE_BUF bytes of a
// packet write into a plain buffer before it when they fit; Moat starts
// every packet write on a slot of its own.)

// seg is a run of the pipe's bytes: one packet, or plain bytes.
type seg struct {
	n      int
	packet bool
}

// slots is how many buffer slots s takes.
func (s seg) slots() int {
	if s.packet {
		return 1
	}
	return (s.n + AtomicWrite - 1) / AtomicWrite
}

// spaceLocked is how many bytes a write may add now; packet says the
// writer is in packet mode.
//
// Preconditions:
// - p.mu is held.
func (p *Pipe) spaceLocked(packet bool) int {
	if p.segs == nil && !packet {
		return p.capacity - len(p.data)
	}
	segs := p.segs
	if segs == nil && len(p.data) > 0 {
		segs = []seg{{n: len(p.data)}}
	}
	space := max(p.capacity-slotsOf(segs)*AtomicWrite, 0)
	if last := len(segs) - 1; !packet && last >= 0 && !segs[last].packet {
		// Plain bytes fill the last plain slot first.
		space += (AtomicWrite - segs[last].n%AtomicWrite) % AtomicWrite
	}
	return space
}

// appendLocked adds b (at most spaceLocked(packet) bytes) to the pipe.
//
// Preconditions:
// - p.mu is held.
func (p *Pipe) appendLocked(b []byte, packet bool) {
	switch {
	case packet:
		if p.segs == nil && len(p.data) > 0 {
			p.segs = []seg{{n: len(p.data)}}
		}
		for rest := len(b); rest > 0; {
			n := min(rest, AtomicWrite)
			p.segs = append(p.segs, seg{n: n, packet: true})
			rest -= n
		}
	case p.segs != nil:
		if last := len(p.segs) - 1; !p.segs[last].packet {
			p.segs[last].n += len(b)
		} else {
			p.segs = append(p.segs, seg{n: len(b)})
		}
	}
	p.data = append(p.data, b...)
}

// readLocked moves buffered bytes into dst, up to and including the first
// packet it reaches (whose rest is dropped), and returns how many.
//
// Preconditions:
// - p.mu is held; p.data is not empty.
func (p *Pipe) readLocked(dst []byte) int {
	if p.segs == nil {
		n := copy(dst, p.data)
		p.dropLocked(n)
		return n
	}
	done := 0
	for len(p.segs) > 0 && done < len(dst) {
		s := p.segs[0]
		n := copy(dst[done:], p.data[:s.n])
		done += n
		if s.packet {
			p.dropLocked(s.n)
			break
		}
		p.dropLocked(n)
	}
	return done
}

// dropLocked discards the first n buffered bytes (splice consumes them
// too); a packet cut in the middle keeps its rest as a packet.
//
// Preconditions:
// - p.mu is held; n <= len(p.data).
func (p *Pipe) dropLocked(n int) {
	p.data = p.data[n:]
	if len(p.data) == 0 {
		p.data, p.segs = nil, nil
		return
	}
	for n > 0 && len(p.segs) > 0 {
		c := min(n, p.segs[0].n)
		p.segs[0].n -= c
		n -= c
		if p.segs[0].n == 0 {
			p.segs = p.segs[1:]
		}
	}
	if len(p.segs) == 0 {
		p.segs = nil
	}
}

// occupiedLocked is how much of the capacity the buffered data takes:
// bytes, or whole slots while it holds packets (F_SETPIPE_SZ cannot
// shrink a pipe below it).
//
// Preconditions:
// - p.mu is held.
func (p *Pipe) occupiedLocked() int {
	if p.segs == nil {
		return len(p.data)
	}
	return slotsOf(p.segs) * AtomicWrite
}

// slotsOf is how many buffer slots segs take.
func slotsOf(segs []seg) int {
	n := 0
	for _, s := range segs {
		n += s.slots()
	}
	return n
}
