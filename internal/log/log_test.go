package log

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestJSONLines(t *testing.T) {
	var b bytes.Buffer
	SetOutput(&b, "test")
	SetJSON(true)
	SetLevel(Info)
	defer func() { SetJSON(false); SetLevel(Warning) }()
	Warningf("disk %s", "full")
	Infof("started")
	Debugf("not written")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %q", len(lines), b.String())
	}
	for i, want := range []struct{ level, msg string }{{"warning", "disk full"}, {"info", "started"}} {
		var e map[string]string
		if err := json.Unmarshal([]byte(lines[i]), &e); err != nil {
			t.Fatalf("line %q: %v", lines[i], err)
		}
		if len(e) != 3 || e["level"] != want.level || e["msg"] != want.msg {
			t.Errorf("line %q, want level %q msg %q and a time", lines[i], want.level, want.msg)
		}
		if _, err := time.Parse(time.RFC3339Nano, e["time"]); err != nil {
			t.Errorf("time %q: %v", e["time"], err)
		}
	}
}
