package cpuset

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"0", 1}, {"0-3", 4}, {"0-3,6", 5}, {" 1,3 \n", 2}, {"x", 0}, {"3-1", 0}, {"0-", 0},
	} {
		if got := Count(c.in); got != c.want {
			t.Errorf("Count(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestAllowed(t *testing.T) {
	for _, c := range []struct {
		host, cpus int
		quota      int64
		period     uint64
		want       int
	}{
		{4, 0, 0, 0, 4},
		{4, 2, 0, 0, 2},
		{4, 8, 0, 0, 4},
		{4, 0, 150000, 100000, 2},
		{4, 0, 50000, 0, 1},
		{4, 0, -1, 100000, 4},
		{4, 3, 100000, 50000, 2},
		{0, 0, 0, 0, 1},
	} {
		if got := Allowed(c.host, c.cpus, c.quota, c.period); got != c.want {
			t.Errorf("Allowed(%d, %d, %d, %d) = %d, want %d", c.host, c.cpus, c.quota, c.period, got, c.want)
		}
	}
	if List(1) != "0" || List(4) != "0-3" || List(0) != "" {
		t.Errorf("List: %q %q %q", List(1), List(4), List(0))
	}
}
