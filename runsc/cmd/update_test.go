package cmd

import "testing"

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"-1", -1, false}, {"1024", 1024, false}, {"64m", 64 << 20, false}, {"64MiB", 64 << 20, false},
		{"2G", 2 << 30, false}, {"1.5k", 1536, false}, {"10b", 10, false}, {"x", 0, true}, {"-5", 0, true}, {"", 0, true},
	} {
		got, err := parseBytes(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("parseBytes(%q) = %d, want an error", c.in, *got)
			}
			continue
		}
		if err != nil || *got != c.want {
			t.Errorf("parseBytes(%q) = %v, %v; want %d", c.in, got, err, c.want)
		}
	}
}
