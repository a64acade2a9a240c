package netlink

import "encoding/binary"

// Netlink message layout (linux/netlink.h).
const (
	sizeofNlmsghdr = 16
	nlmsgAlign     = 4

	nlmsgNoop  = 1
	nlmsgError = 2
	nlmsgDone  = 3
	// nlmsgMinType is NLMSG_MIN_TYPE: types below are control messages.
	nlmsgMinType = 0x10

	flagRequest = 0x1
	flagMulti   = 0x2
	flagAck     = 0x4
	flagRoot    = 0x100
	flagMatch   = 0x200
	flagDump    = flagRoot | flagMatch
	// flagCapped is NLM_F_CAPPED: an error message without the
	// request's payload.
	flagCapped = 0x100
)

func align(n int) int { return (n + nlmsgAlign - 1) &^ (nlmsgAlign - 1) }

// header is struct nlmsghdr.
type header struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
	PID   uint32
}

func decodeHeader(b []byte) header {
	le := binary.LittleEndian
	return header{le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), le.Uint32(b[8:]), le.Uint32(b[12:])}
}

func (h header) encode(b []byte) {
	le := binary.LittleEndian
	le.PutUint32(b, h.Len)
	le.PutUint16(b[4:], h.Type)
	le.PutUint16(b[6:], h.Flags)
	le.PutUint32(b[8:], h.Seq)
	le.PutUint32(b[12:], h.PID)
}

// writer builds a reply: messages one after another.
type writer struct {
	buf []byte
	// start is where the message being built begins.
	start int
}

// begin starts a message with a fixed header of its type.
func (w *writer) begin(h header, fixed []byte) {
	w.start = len(w.buf)
	var hb [sizeofNlmsghdr]byte
	h.encode(hb[:])
	w.buf = append(w.buf, hb[:]...)
	w.put(fixed)
}

// put appends data, padded.
func (w *writer) put(data []byte) {
	w.buf = append(w.buf, data...)
	for len(w.buf)%nlmsgAlign != 0 {
		w.buf = append(w.buf, 0)
	}
}

// attr appends a route attribute (struct rtattr).
func (w *writer) attr(typ uint16, data []byte) {
	var h [4]byte
	binary.LittleEndian.PutUint16(h[:], uint16(4+len(data)))
	binary.LittleEndian.PutUint16(h[2:], typ)
	w.buf = append(w.buf, h[:]...)
	w.put(data)
}

func (w *writer) attrU32(typ uint16, v uint32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	w.attr(typ, b[:])
}

func (w *writer) attrString(typ uint16, s string) { w.attr(typ, append([]byte(s), 0)) }

// end finishes the message: its length goes into its header.
func (w *writer) end() {
	binary.LittleEndian.PutUint32(w.buf[w.start:], uint32(len(w.buf)-w.start))
}

// attrs parses route attributes.
func attrs(b []byte) map[uint16][]byte {
	m := map[uint16][]byte{}
	for len(b) >= 4 {
		l := int(binary.LittleEndian.Uint16(b))
		t := binary.LittleEndian.Uint16(b[2:])
		if l < 4 || l > len(b) {
			break
		}
		m[t&0x3fff] = b[4:l]
		b = b[min(align(l), len(b)):]
	}
	return m
}
