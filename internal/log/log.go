// Package log is Moat's one leveled logger. Messages go to a single sink
// (stderr by default, or the --debug-log file); Debugf is cheap when debug
// logging is off, so it may sit on hot paths behind IsDebug.
//
// The logger is process-wide state by design (like the standard library's
// log package): every component of a process writes to the same sink.
package log

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Level is a log level.
type Level int32

// Levels, most severe first.
const (
	Warning Level = iota
	Info
	Debug
)

var (
	level atomic.Int32
	mu    sync.Mutex // guards out
	out   io.Writer  = os.Stderr
	tag   string
	// asJSON writes lines as runc's JSON log entries (SetJSON).
	asJSON bool
)

// SetOutput directs log output to w, prefixing lines with tag (such as
// "boot" or "gofer").
func SetOutput(w io.Writer, t string) {
	mu.Lock()
	defer mu.Unlock()
	out, tag = w, t
}

// SetJSON makes the log lines JSON objects as runc (logrus) writes them
// with --log-format json: {"level":"warning","msg":"...","time":"..."}.
func SetJSON(on bool) {
	mu.Lock()
	defer mu.Unlock()
	asJSON = on
}

// levelNames are the JSON level names (logrus's).
var levelNames = [...]string{Warning: "warning", Info: "info", Debug: "debug"}

// SetLevel sets the most verbose level that is written.
func SetLevel(l Level) { level.Store(int32(l)) }

// IsDebug reports whether Debugf writes anything.
func IsDebug() bool { return Level(level.Load()) >= Debug }

func write(l Level, letter byte, format string, args ...any) {
	if Level(level.Load()) < l {
		return
	}
	now := time.Now().UTC()
	msg := fmt.Sprintf(format, args...)
	mu.Lock()
	defer mu.Unlock()
	if asJSON {
		b, _ := json.Marshal(struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Time  string `json:"time"`
		}{levelNames[l], msg, now.Format(time.RFC3339Nano)})
		out.Write(append(b, '\n'))
		return
	}
	fmt.Fprintf(out, "%c%s %7d %s] %s\n", letter, now.Format("0102 15:04:05.000000"), os.Getpid(), tag, msg)
}

// Warningf logs at Warning level.
func Warningf(format string, args ...any) { write(Warning, 'W', format, args...) }

// Infof logs at Info level.
func Infof(format string, args ...any) { write(Info, 'I', format, args...) }

// Debugf logs at Debug level.
func Debugf(format string, args ...any) { write(Debug, 'D', format, args...) }
