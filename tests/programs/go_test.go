package programs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"moat/tests/testutil"
)

var (
	goprogOnce sync.Once
	goprogBin  string
	goprogErr  error
)

// goTool returns the go command: from PATH, else Go's default install.
func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/local/go/bin/go"); err == nil {
		return "/usr/local/go/bin/go", nil
	}
	return "", fmt.Errorf("no go command in PATH or /usr/local/go/bin")
}

// buildGoprog builds testdata/goprog with CGO_ENABLED=0 into the test
// cache (never under /tmp, which the sandbox replaces), keyed on the
// source and the Go version, and returns the binary's path.
func buildGoprog() (string, error) {
	goprogOnce.Do(func() {
		goprogBin, goprogErr = func() (string, error) {
			gotool, err := goTool()
			if err != nil {
				return "", err
			}
			ver, err := exec.Command(gotool, "version").Output()
			if err != nil {
				return "", fmt.Errorf("go version: %w", err)
			}
			src := testdata("goprog", "main.go")
			body, err := os.ReadFile(src)
			if err != nil {
				return "", err
			}
			h := sha256.New()
			h.Write(ver)
			h.Write(body)
			cache, err := testutil.CacheDir()
			if err != nil {
				return "", err
			}
			dir := filepath.Join(cache, "go", "goprog-"+hex.EncodeToString(h.Sum(nil))[:16])
			bin := filepath.Join(dir, "goprog")
			if _, err := os.Stat(bin); err == nil {
				return bin, nil
			}
			if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
				return "", err
			}
			tmp, err := os.MkdirTemp(filepath.Dir(dir), "build-")
			if err != nil {
				return "", err
			}
			defer os.RemoveAll(tmp)
			cmd := exec.Command(gotool, "build", "-trimpath", "-o", filepath.Join(tmp, "goprog"), "./testdata/goprog")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOTOOLCHAIN=local")
			if out, err := cmd.CombinedOutput(); err != nil {
				return "", fmt.Errorf("go build ./testdata/goprog: %w\n%s", err, strings.TrimSpace(string(out)))
			}
			if err := os.Chmod(tmp, 0o755); err != nil {
				return "", err
			}
			if err := os.Rename(tmp, dir); err != nil {
				if _, statErr := os.Stat(bin); statErr == nil {
					return bin, nil
				}
				return "", fmt.Errorf("publishing %s: %w", dir, err)
			}
			return bin, nil
		}()
	})
	return goprogBin, goprogErr
}

// wantGoprog is goprog's whole output when every check passes.
const wantGoprog = `goroutines: count=100000 distinct=1000
cond ring: turns=1000
ticker: 5 ticks
ticker took at least 100ms: ok
afterfunc: fired
context: context deadline exceeded
preemption: main ran again while a goroutine spun
spinner made progress: ok
sleep lasted at least 50ms: ok
preemption: 4 spinners on 2 Ps stopped
exec echo: "hello from echo\n" <nil>
exec exit: 3
exec tr: 16000 bytes, first "PIPE THROUGH TR", <nil>
exec missing: fork/exec /nonexistent: no such file or directory
exec killed: signal: terminated
exec context: signal: killed
exec parallel: 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
pipe: 1048576 bytes, sum 133693440
pipe deadline: true
signal: got user defined signal 1
signal: got user defined signal 2
signal: ignored SIGUSR1, still running
unix socket: echo 0,echo 1,echo 2,echo 3,echo 4,echo 5,echo 6,echo 7,echo 8,echo 9
gc: kept 20
gc ran: ok
files: f0:0:640 f1:100:640 f2:200:640 f3:300:640 f4:400:640
env: wd=/tmp home=/tmp hostname-set=true args=["a" "b c"]
done
`

// TestGo runs a CGO_ENABLED=0 Go program (testdata/goprog): goroutines,
// a ticker, async preemption, os/exec, pipes, os/signal, the netpoller.
func TestGo(t *testing.T) {
	bin, err := buildGoprog()
	if err != nil {
		t.Skipf("cannot build the Go program (needs Go 1.26 at /usr/local/go): %v", err)
	}
	runCases(t, []tc{
		{name: "goprog", args: []string{bin, "a", "b c"}, wantStdout: wantGoprog},
		// GOMAXPROCS=1 for the whole program: every goroutine shares
		// one P, so the netpoller, timers and preemption carry it.
		{name: "goprog-gomaxprocs1", args: []string{"/usr/bin/env", "GOMAXPROCS=1", bin, "a", "b c"}, wantStdout: wantGoprog},
		// A shell's exec into a Go program, as container entrypoint
		// scripts do (`exec "$@"`).
		{name: "goprog-via-bash-exec", args: []string{"bash", "-c", `exec "$0" "$@"`, bin, "a", "b c"}, wantStdout: wantGoprog},
	})
}
