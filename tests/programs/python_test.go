package programs_test

import (
	"testing"
	"time"
)

// python returns a case running testdata/python/NAME.py.
func python(name string) tc {
	return tc{name: name, args: []string{"python3", testdata("python", name+".py")}}
}

// pythonCases run the scripts in testdata/python, one area each, and a
// few one-liners with `python3 -c`.
var pythonCases = []tc{
	python("threads"),
	python("subproc"),
	python("multiproc"),
	python("signals"),
	python("fork"),
	python("io"),
	python("jobctl"),
	python("asyncio_futures"),
	python("fileio"),
	python("pty_resource").with("ps"),
	python("stdlib"),
	python("memory"),
	python("net_loopback"),
	{name: "thread_exec", args: []string{"python3", testdata("python", "thread_exec.py")}, timeout: 30 * time.Second,
		wantStdout: "child of a threaded process has 1 task(s)\nthreads before: 11 11\nfork from a thread: 5\nnew image: pid kept: True threads: 1\ntasks in /proc: 1\n"},
	// A pidfd becomes readable when its process exits (Python's
	// asyncio PidfdChildWatcher, Go's os/exec and systemd rely on it).
	{name: "pidfd", args: []string{"python3", "-c", "import os, select, time\npid = os.fork()\nif pid == 0:\n    time.sleep(0.2)\n    os._exit(3)\npfd = os.pidfd_open(pid)\nprint('not yet:', select.select([pfd], [], [], 0)[0])\nprint('readable on exit:', select.select([pfd], [], [], 10)[0] == [pfd])\nprint('status:', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))"},
		wantStdout: "not yet: []\nreadable on exit: True\nstatus: 3\n"},
	{name: "c-oneliner", args: []string{"python3", "-c", `import sys, os, platform; print(sys.version_info[:2] >= (3, 11), platform.system(), os.getcwd(), sys.argv[1:])`, "a", "b"},
		wantStdout: "True Linux /tmp ['a', 'b']\n"},
	{name: "c-exception", args: []string{"python3", "-c", "import sys\nprint('before', flush=True)\nraise SystemExit('fatal: ' + 'bye')"},
		wantStdout: "before\n", wantExit: 1},
	{name: "c-uncaught", args: []string{"python3", "-c", "def f():\n    1/0\nf()"}, wantExit: 1, wantStdout: ""},
	{name: "c-stdin", args: []string{"python3", "-c", "import sys, collections\nc = collections.Counter(sys.stdin.read().split())\nprint(sorted(c.items()))"},
		stdin: "b a b c a b\n", wantStdout: "[('a', 2), ('b', 3), ('c', 1)]\n"},
}

func TestPython(t *testing.T) { runCases(t, pythonCases) }
