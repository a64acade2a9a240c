// Command goprog exercises the Go runtime under a kernel: 1,000
// goroutines with a WaitGroup and a mutex, a time.Ticker, a CPU-bound
// goroutine that only async preemption (SIGURG) can interrupt, os/exec,
// pipes, os/signal with a self-sent SIGUSR1, the netpoller on a Unix
// socket, and the garbage collector. Every line it prints is
// deterministic; it exits 1 after printing FAIL lines.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var failed bool

func check(label string, ok bool, detail ...any) {
	if ok {
		fmt.Printf("%s: ok\n", label)
		return
	}
	failed = true
	fmt.Printf("FAIL %s: %v\n", label, fmt.Sprint(detail...))
}

func main() {
	goroutines()
	ticker()
	preemption()
	execs()
	pipes()
	signals()
	unixSocket()
	garbage()
	files()
	if failed {
		os.Exit(1)
	}
	fmt.Println("done")
}

// goroutines runs 1,000 goroutines that each add to a mutex-guarded
// counter and send on a channel.
func goroutines() {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		count int
		seen  = make(map[int]bool)
	)
	results := make(chan int, 1000)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				mu.Lock()
				count++
				mu.Unlock()
			}
			if i%10 == 0 {
				runtime.Gosched()
			}
			results <- i
		}(i)
	}
	wg.Wait()
	close(results)
	for i := range results {
		seen[i] = true
	}
	fmt.Printf("goroutines: count=%d distinct=%d\n", count, len(seen))

	// A sync.Cond handing a token around a ring of 50 goroutines.
	var (
		cmu  sync.Mutex
		cond = sync.NewCond(&cmu)
		turn int
		ring sync.WaitGroup
	)
	const n, rounds = 50, 20
	for id := 0; id < n; id++ {
		ring.Add(1)
		go func(id int) {
			defer ring.Done()
			for r := 0; r < rounds; r++ {
				cmu.Lock()
				for turn%n != id {
					cond.Wait()
				}
				turn++
				cond.Broadcast()
				cmu.Unlock()
			}
		}(id)
	}
	ring.Wait()
	fmt.Printf("cond ring: turns=%d\n", turn)
}

// ticker counts five ticks of a 20 ms ticker and a timer.
func ticker() {
	start := time.Now()
	t := time.NewTicker(20 * time.Millisecond)
	ticks := 0
	for range t.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	t.Stop()
	el := time.Since(start)
	fmt.Printf("ticker: %d ticks\n", ticks)
	check("ticker took at least 100ms", el >= 100*time.Millisecond, el)
	fired := make(chan struct{})
	time.AfterFunc(10*time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
		fmt.Println("afterfunc: fired")
	case <-time.After(20 * time.Second):
		fmt.Println("afterfunc: timed out")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Printf("context: %v\n", ctx.Err())
}

// preemption runs, on a single P, a goroutine spinning in a loop with no
// function calls: the main goroutine only runs again if the runtime
// preempts the spinner asynchronously with SIGURG.
func preemption() {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var stop atomic.Bool
	var spins atomic.Int64
	done := make(chan int64)
	go func() {
		var n int64
		for !stop.Load() {
			n++
		}
		done <- n
	}()
	runtime.Gosched() // let the spinner start
	start := time.Now()
	time.Sleep(50 * time.Millisecond) // needs the spinner preempted
	stop.Store(true)
	n := <-done
	spins.Store(n)
	fmt.Println("preemption: main ran again while a goroutine spun")
	check("spinner made progress", spins.Load() > 0)
	check("sleep lasted at least 50ms", time.Since(start) >= 50*time.Millisecond)

	// Several spinners on two Ps, stopped after a while.
	runtime.GOMAXPROCS(2)
	stop.Store(false)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(i)
			for !stop.Load() {
				x = x*6364136223846793005 + 1
			}
			_ = x
		}()
	}
	time.Sleep(100 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	fmt.Println("preemption: 4 spinners on 2 Ps stopped")
}

// execs runs child processes with os/exec.
func execs() {
	out, err := exec.Command("/bin/echo", "hello", "from", "echo").Output()
	fmt.Printf("exec echo: %q %v\n", out, err)
	err = exec.Command("/bin/sh", "-c", "exit 3").Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Printf("exec exit: %d\n", ee.ExitCode())
	}
	cmd := exec.Command("/usr/bin/tr", "a-z", "A-Z")
	cmd.Stdin = strings.NewReader(strings.Repeat("pipe through tr\n", 1000))
	out, err = cmd.Output()
	fmt.Printf("exec tr: %d bytes, first %q, %v\n", len(out), strings.SplitN(string(out), "\n", 2)[0], err)
	_, err = exec.Command("/nonexistent").Output()
	fmt.Printf("exec missing: %v\n", err)
	cmd = exec.Command("/bin/sleep", "30")
	if err := cmd.Start(); err == nil {
		cmd.Process.Signal(syscall.SIGTERM)
		err = cmd.Wait()
		fmt.Printf("exec killed: %v\n", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = exec.CommandContext(ctx, "/bin/sleep", "30").Run()
	fmt.Printf("exec context: %v\n", err)
	// Many children at once.
	var wg sync.WaitGroup
	outs := make([]string, 20)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := exec.Command("/bin/echo", fmt.Sprint(i)).Output()
			outs[i] = strings.TrimSpace(string(b))
		}()
	}
	wg.Wait()
	fmt.Printf("exec parallel: %s\n", strings.Join(outs, ","))
}

// pipes moves 1 MiB through an os.Pipe between goroutines.
func pipes() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		return
	}
	go func() {
		buf := make([]byte, 4096)
		for i := 0; i < 256; i++ {
			for j := range buf {
				buf[j] = byte(i)
			}
			w.Write(buf)
		}
		w.Close()
	}()
	var sum, n int
	br := bufio.NewReader(r)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		sum += int(b)
		n++
	}
	r.Close()
	fmt.Printf("pipe: %d bytes, sum %d\n", n, sum)
	r, w, _ = os.Pipe()
	r.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = r.Read(make([]byte, 1))
	fmt.Printf("pipe deadline: %v\n", errors.Is(err, os.ErrDeadlineExceeded))
	r.Close()
	w.Close()
}

// signals sends SIGUSR1 to itself and receives it through os/signal.
func signals() {
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGUSR2)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-c:
		fmt.Printf("signal: got %v\n", s)
	case <-time.After(20 * time.Second):
		fmt.Println("signal: timed out")
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	fmt.Printf("signal: got %v\n", <-c)
	signal.Stop(c)
	signal.Ignore(syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	time.Sleep(10 * time.Millisecond)
	fmt.Println("signal: ignored SIGUSR1, still running")
	signal.Reset()
}

// unixSocket serves and dials a Unix socket through the netpoller.
func unixSocket() {
	path := filepath.Join(os.TempDir(), "goprog.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Println("unix listen:", err)
		return
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				fmt.Fprintf(c, "echo %s", line)
			}()
		}
	}()
	var wg sync.WaitGroup
	replies := make([]string, 10)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("unix", path)
			if err != nil {
				replies[i] = err.Error()
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "%d\n", i)
			b, _ := io.ReadAll(c)
			replies[i] = strings.TrimSpace(string(b))
		}()
	}
	wg.Wait()
	sort.Strings(replies)
	fmt.Printf("unix socket: %s\n", strings.Join(replies, ","))
}

// garbage allocates enough to run several collections.
func garbage() {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var keep [][]byte
	for i := 0; i < 2000; i++ {
		b := make([]byte, 64<<10)
		b[0] = byte(i)
		if i%100 == 0 {
			keep = append(keep, b)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("gc: kept %d\n", len(keep))
	check("gc ran", after.NumGC > before.NumGC, before.NumGC, after.NumGC)
}

// files writes, reads and lists files under $TMPDIR (/tmp).
func files() {
	dir, err := os.MkdirTemp("", "goprog-")
	if err != nil {
		fmt.Println("mkdirtemp:", err)
		return
	}
	defer os.RemoveAll(dir)
	for i := 0; i < 5; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), []byte(strings.Repeat("x", i*100)), 0o640)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		fi, _ := e.Info()
		names = append(names, fmt.Sprintf("%s:%d:%o", e.Name(), fi.Size(), fi.Mode().Perm()))
	}
	fmt.Printf("files: %s\n", strings.Join(names, " "))
	wd, _ := os.Getwd()
	host, _ := os.Hostname()
	fmt.Printf("env: wd=%s home=%s hostname-set=%v args=%q\n", wd, os.Getenv("HOME"), host != "", os.Args[1:])
}
