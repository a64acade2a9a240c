package pipe

import (
	"bytes"
	"testing"
)

func TestPacketMode(t *testing.T) {
	type write struct {
		n      int
		packet bool
	}
	for _, c := range []struct {
		name   string
		writes []write
		reads  []int // read sizes
		want   []int // bytes each read returns
		space  int   // space for a packet write afterwards
	}{
		{"one packet per read", []write{{3, true}, {5, true}}, []int{100, 100}, []int{3, 5}, 65536},
		{"a short read drops the rest", []write{{11, true}, {1, true}}, []int{5, 100}, []int{5, 1}, 65536},
		{"PIPE_BUF packets", []write{{10000, true}}, []int{1 << 20, 1 << 20, 1 << 20}, []int{4096, 4096, 1808}, 65536},
		{"plain bytes then a packet", []write{{2, false}, {2, false}, {4096, true}, {3, true}}, []int{1 << 20, 100}, []int{4100, 3}, 65536},
		{"plain and part of a packet", []write{{5, false}, {4096, true}}, []int{7}, []int{7}, 65536},
		{"sixteen packets fill it", []write{{1, true}, {1, true}, {1, true}, {1, true}, {1, true}, {1, true}, {1, true}, {1, true},
			{1, true}, {1, true}, {1, true}, {1, true}, {1, true}, {1, true}, {1, true}, {1, true}}, nil, nil, 0},
		{"plain runs take a slot per page", []write{{4097, false}, {1, true}}, nil, nil, 65536 - 3*4096},
		{"plain only stays in bytes", []write{{100, false}}, nil, nil, 65536 - 4096},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Pipe{capacity: DefaultCapacity}
			var all []byte
			for i, w := range c.writes {
				b := bytes.Repeat([]byte{byte('a' + i)}, w.n)
				if s := p.spaceLocked(w.packet); s < w.n {
					t.Fatalf("write %d: space %d < %d", i, s, w.n)
				}
				p.appendLocked(b, w.packet)
				all = append(all, b...)
			}
			for i, n := range c.reads {
				dst := make([]byte, n)
				got := p.readLocked(dst)
				if got != c.want[i] || !bytes.Equal(dst[:got], all[:got]) {
					t.Fatalf("read %d of %d: got %d bytes %q, want %d", i, n, got, dst[:min(got, 8)], c.want[i])
				}
				// What the read dropped is gone too.
				all = all[len(all)-len(p.data):]
			}
			if got := p.spaceLocked(true); got != c.space {
				t.Errorf("space for a packet = %d, want %d", got, c.space)
			}
		})
	}
}

func TestDropCutsPacket(t *testing.T) {
	p := &Pipe{capacity: DefaultCapacity}
	p.appendLocked([]byte("hello"), true)
	p.appendLocked([]byte("!"), true)
	p.dropLocked(2)
	dst := make([]byte, 100)
	if n := p.readLocked(dst); string(dst[:n]) != "llo" {
		t.Fatalf("after splicing 2 bytes the packet reads %q, want llo", dst[:n])
	}
	if n := p.readLocked(dst); string(dst[:n]) != "!" {
		t.Fatalf("next packet %q", dst[:n])
	}
	if p.data != nil || p.segs != nil {
		t.Fatalf("drained pipe keeps %d bytes, %d segments", len(p.data), len(p.segs))
	}
	if got := p.occupiedLocked(); got != 0 {
		t.Fatalf("occupied %d", got)
	}
}
