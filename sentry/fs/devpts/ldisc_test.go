package devpts

import (
	"testing"

	"golang.org/x/sys/unix"
)

// typed runs input through a fresh line discipline with default settings
// changed by set, and returns it with the signals it raised.
func typed(set func(l *ldisc), input string) (*ldisc, []int) {
	var sigs []int
	l := newLdisc(func(sig int) { sigs = append(sigs, sig) })
	if set != nil {
		set(&l)
	}
	l.input([]byte(input))
	return &l, sigs
}

// readAll drains what the replica could read, one read per element.
func readAll(l *ldisc) []string {
	var out []string
	buf := make([]byte, 64)
	for {
		n, ok := l.read(buf)
		if !ok {
			return out
		}
		out = append(out, string(buf[:n]))
	}
}

func TestCanonicalEditing(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		reads    []string
		echo     string
		edit     string
	}{
		{"line", "hello\r", []string{"hello\n"}, "hello\r\n", ""},
		{"two lines one read each", "a\nb\n", []string{"a\n", "b\n"}, "a\r\nb\r\n", ""},
		{"partial line not readable", "abc", nil, "abc", "abc"},
		{"erase", "ab\x7fc\n", []string{"ac\n"}, "ab\b \bc\r\n", ""},
		{"erase on empty line", "\x7f\x7fx\n", []string{"x\n"}, "x\r\n", ""},
		{"erase control char", "a\x01\x7f\n", []string{"a\n"}, "a^A\b \b\b \b\r\n", ""},
		{"kill with echoke", "abc\x15d\n", []string{"d\n"}, "abc\b \b\b \b\b \bd\r\n", ""},
		{"werase", "one two\x17x\n", []string{"one x\n"}, "one two\b \b\b \b\b \bx\r\n", ""},
		{"eof ends a line without terminator", "ab\x04", []string{"ab"}, "ab", ""},
		{"eof on empty line", "\x04", []string{""}, "", ""},
		{"eol", "a\x00", nil, "a^@", "a\x00"},
		{"control char echo", "\x1b[A\n", []string{"\x1b[A\n"}, "^[[A\r\n", ""},
		{"lnext", "a\x16\x7f\x16\x03\x16\n\n", []string{"a\x7f\x03\n\n"}, "a^\b^?^\b^C^\b\r\n\r\n", ""},
		{"erase tab", "a\tb\x7f\x7f\n", []string{"a\n"}, "a\tb\b \b\b\b\b\b\b\b\b\r\n", ""},
		{"reprint", "ab\x12c\n", []string{"abc\n"}, "ab^R\r\nabc\r\n", ""},
	} {
		l, _ := typed(nil, tc.in)
		if got := readAll(l); !equal(got, tc.reads) {
			t.Errorf("%s: reads %q, want %q", tc.name, got, tc.reads)
		}
		if string(l.out) != tc.echo {
			t.Errorf("%s: echo %q, want %q", tc.name, l.out, tc.echo)
		}
		if string(l.edit) != tc.edit {
			t.Errorf("%s: edit %q, want %q", tc.name, l.edit, tc.edit)
		}
	}
}

func TestEchoFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(l *ldisc)
		in   string
		echo string
	}{
		{"no echo", func(l *ldisc) { l.termios.Lflag &^= unix.ECHO }, "ab\n", ""},
		{"echonl", func(l *ldisc) { l.termios.Lflag = l.termios.Lflag&^unix.ECHO | unix.ECHONL }, "ab\n", "\r\n"},
		{"no echoe: erase char echoed", func(l *ldisc) { l.termios.Lflag &^= unix.ECHOE }, "ab\x7f", "ab^?"},
		{"no echoctl", func(l *ldisc) { l.termios.Lflag &^= unix.ECHOCTL }, "a\x01", "a\x01"},
		{"echok without echoke", func(l *ldisc) { l.termios.Lflag &^= unix.ECHOKE }, "ab\x15", "ab^U\r\n"},
		{"no opost", func(l *ldisc) { l.termios.Oflag &^= unix.OPOST }, "a\n", "a\n"},
		{"raw echo", func(l *ldisc) { l.termios.Lflag &^= unix.ICANON }, "a\x7f\r", "a^?\r\n"},
		{"iutf8 erase", func(l *ldisc) { l.termios.Iflag |= unix.IUTF8 }, "a\u00e9\u20ac\x7f\x7f", "a\u00e9\u20ac\b \b\b \b"},
		{"no iexten: lnext is data", func(l *ldisc) { l.termios.Lflag &^= unix.IEXTEN }, "\x16", "^V"},
	} {
		l, _ := typed(tc.set, tc.in)
		if string(l.out) != tc.echo {
			t.Errorf("%s: echo %q, want %q", tc.name, l.out, tc.echo)
		}
	}
}

func TestInputProcessing(t *testing.T) {
	raw := func(l *ldisc) { l.termios.Lflag &^= unix.ICANON | unix.ECHO }
	for _, tc := range []struct {
		name string
		set  func(l *ldisc)
		in   string
		want string
	}{
		{"icrnl", raw, "a\rb", "a\nb"},
		{"no icrnl", func(l *ldisc) { raw(l); l.termios.Iflag &^= unix.ICRNL }, "a\r", "a\r"},
		{"igncr", func(l *ldisc) { raw(l); l.termios.Iflag |= unix.IGNCR }, "a\rb", "ab"},
		{"inlcr", func(l *ldisc) { raw(l); l.termios.Iflag |= unix.INLCR }, "a\n", "a\r"},
		{"istrip", func(l *ldisc) { raw(l); l.termios.Iflag |= unix.ISTRIP }, "\xe1", "a"},
		{"ixon eats stop and start", raw, "a\x13b\x11c", "abc"},
		{"no ixon", func(l *ldisc) { raw(l); l.termios.Iflag &^= unix.IXON }, "a\x13", "a\x13"},
	} {
		l, _ := typed(tc.set, tc.in)
		if got := string(l.raw); got != tc.want {
			t.Errorf("%s: input %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestStopStart(t *testing.T) {
	l, _ := typed(nil, "\x13")
	if !l.stopped {
		t.Fatal("VSTOP did not stop output")
	}
	l.input([]byte{0x11})
	if l.stopped {
		t.Fatal("VSTART did not restart output")
	}
}

func TestSignalCharacters(t *testing.T) {
	l, sigs := typed(nil, "ab\x03cd\x1c\x1a")
	want := []int{int(unix.SIGINT), int(unix.SIGQUIT), int(unix.SIGTSTP)}
	if len(sigs) != 3 || sigs[0] != want[0] || sigs[1] != want[1] || sigs[2] != want[2] {
		t.Errorf("signals %v, want %v", sigs, want)
	}
	if string(l.out) != "^Z" { // each signal flushes the echo before it
		t.Errorf("echo %q", l.out)
	}
	if len(l.edit) != 0 || l.hasInput() {
		t.Errorf("input not flushed: edit %q", l.edit)
	}
	// NOFLSH keeps the line; without ISIG the characters are data.
	l, _ = typed(func(l *ldisc) { l.termios.Lflag |= unix.NOFLSH }, "ab\x03")
	if string(l.edit) != "ab" {
		t.Errorf("NOFLSH: edit %q", l.edit)
	}
	l, sigs = typed(func(l *ldisc) { l.termios.Lflag &^= unix.ISIG }, "\x03\n")
	if len(sigs) != 0 || readAll(l)[0] != "\x03\n" {
		t.Errorf("no ISIG: signals %v", sigs)
	}
	// A disabled character (0) never matches.
	l, sigs = typed(func(l *ldisc) { l.termios.CC[unix.VINTR] = 0 }, "\x00\x03")
	if len(sigs) != 0 {
		t.Errorf("disabled VINTR: signals %v", sigs)
	}
}

func TestModeSwitch(t *testing.T) {
	l, _ := typed(nil, "line\npart")
	tio := l.termios
	tio.Lflag &^= unix.ICANON
	l.setTermios(tio)
	if got := readAll(l); !equal(got, []string{"line\npart"}) {
		t.Errorf("canonical -> raw: %q", got)
	}
	l.input([]byte("xy"))
	tio.Lflag |= unix.ICANON
	l.setTermios(tio)
	if got := readAll(l); !equal(got, []string{"xy"}) {
		t.Errorf("raw -> canonical: %q", got)
	}
}

func TestShortReads(t *testing.T) {
	l, _ := typed(nil, "abcdef\ngh\n")
	buf := make([]byte, 4)
	var got []string
	for {
		n, ok := l.read(buf)
		if !ok {
			break
		}
		got = append(got, string(buf[:n]))
	}
	if !equal(got, []string{"abcd", "ef\n", "gh\n"}) {
		t.Errorf("reads %q", got)
	}
}

func TestOutputProcessing(t *testing.T) {
	for _, tc := range []struct {
		oflag uint32
		in    string
		want  string
	}{
		{unix.OPOST | unix.ONLCR, "a\nb", "a\r\nb"},
		{unix.OPOST, "a\nb", "a\nb"},
		{unix.ONLCR, "a\n", "a\n"},
		{unix.OPOST | unix.OCRNL, "a\r", "a\n"},
		{unix.OPOST | unix.ONLRET, "a\r\n", "a\r\n"},
		{unix.OPOST | unix.ONOCR, "\ra\r\r", "a\r"},
		{unix.OPOST | unix.TAB3, "ab\tc\t", "ab      c       "},
	} {
		l := newLdisc(nil)
		l.termios.Oflag = tc.oflag
		l.output([]byte(tc.in))
		if string(l.out) != tc.want {
			t.Errorf("oflag %#x: %q, want %q", tc.oflag, l.out, tc.want)
		}
	}
}

func TestLineLimit(t *testing.T) {
	long := make([]byte, canonMax+10)
	for i := range long {
		long[i] = 'x'
	}
	l, _ := typed(func(l *ldisc) { l.termios.Lflag &^= unix.ECHO }, string(long)+"\n")
	buf := make([]byte, 2*canonMax)
	n, _ := l.read(buf)
	if n != canonMax || buf[n-1] != '\n' || l.hasInput() {
		t.Errorf("long line: read %d bytes", n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEchoBounded(t *testing.T) {
	l, _ := typed(func(l *ldisc) { l.termios.Lflag &^= unix.ICANON }, "")
	chunk := make([]byte, 1000)
	for i := range chunk {
		chunk[i] = 1 // echoed as ^A
	}
	for i := 0; i < 500; i++ {
		if n := l.input(chunk); n != len(chunk) {
			t.Fatalf("input took %d of %d", n, len(chunk))
		}
		l.raw = nil // the replica reads everything
	}
	if len(l.out) > queueMax+8 {
		t.Errorf("echo queue grew to %d bytes", len(l.out))
	}
}
