package programs_test

import (
	"testing"
	"time"
)

// bash returns a case running script with `bash -c`.
func bash(name, script, wantStdout string, wantExit int) tc {
	return tc{name: name, args: []string{"bash", "-c", script}, wantStdout: wantStdout, wantExit: wantExit}
}

// bashCases exercise the shell's use of fork, exec, pipes, wait, signals
// and rlimits. Each has its expected output written down, so a wrong
// reference fails natively.
var bashCases = []tc{
	bash("pipeline", `seq 1 2000 | grep 7 | sort -r | head -n 3; echo "status ${PIPESTATUS[*]}"`,
		"997\n987\n979\nstatus 0 0 0 0\n", 0),
	bash("pipefail", `set -o pipefail; false | true; echo "pipefail $?"; set +o pipefail; false | true; echo "plain $?"`,
		"pipefail 1\nplain 0\n", 0),
	bash("subshell", `x=outer; (x=inner; echo "in $x"; exit 4); echo "status $? x=$x"; ( cd /; pwd ); pwd`,
		"in inner\nstatus 4 x=outer\n/\n/tmp\n", 0),
	bash("command-substitution", `a=$(echo one; echo two); b=$(seq 3 | wc -l); c=$( (echo nested $(echo deep)) ); echo "$a|$b|$c"; echo "$(exit 9)status $?"`,
		"one\ntwo|3|nested deep\nstatus 9\n", 0),
	bash("here-doc", "n=5\ncat <<EOF\nvalue $n\n$(echo sub)\nEOF\ncat <<'RAW'\nraw $n\nRAW\nwhile read -r a b; do echo \"[$b:$a]\"; done <<<\"x y\"",
		"value 5\nsub\nraw $n\n[y:x]\n", 0),
	bash("trap-exit", `trap 'echo "exit trap, status $?"' EXIT; echo body; exit 3`,
		"body\nexit trap, status 3\n", 3),
	bash("trap-usr1-self", `trap 'echo "got USR1"; n=$((n+1))' USR1; n=0; kill -USR1 $$; kill -s USR1 $$; echo "n=$n"`,
		"got USR1\ngot USR1\nn=2\n", 0),
	// A signal arriving while bash waits for a foreground child runs
	// the trap after the child exits; one arriving during `wait`
	// interrupts it with 128+N.
	bash("trap-during-wait", `trap 'echo trapped' USR1; sleep 30 & p=$!; (sleep 0.2; kill -USR1 $$) & wait $p; echo "wait $?"; kill $p; wait $p; echo "killed $?"; wait; echo done`,
		"trapped\nwait 138\nkilled 143\ndone\n", 0),
	bash("background-wait", `for i in 1 2 3 4 5; do (sleep 0.$i; exit $i) & pids+=($!); done; for p in "${pids[@]}"; do wait $p; echo -n "$? "; done; echo; sleep 0.1 & wait; echo "all $?"`,
		"1 2 3 4 5 \nall 0\n", 0),
	// Both jobs sleep: a job that ends before `wait -n` starts may be
	// reaped and forgotten by bash at the command boundary.
	bash("wait-n", `(sleep 1; exit 5) & (sleep 0.3; exit 6) & wait -n; echo "first $?"; wait -n; echo "second $?"; wait -n; echo "none $?"`,
		"first 6\nsecond 5\nnone 127\n", 0),
	// wait on a PID, not a job spec: bash may reap and forget a killed
	// job before `wait %N` runs.
	bash("jobs", `sleep 30 & p1=$!; sleep 30 & p2=$!; jobs | wc -l; kill %1 %2; wait $p1; echo "1: $?"; wait $p2; echo "2: $?"; jobs | wc -l`,
		"2\n1: 143\n2: 143\n0\n", 0),
	bash("set-e", `set -e; f() { echo "in f"; false; echo unreachable; }; echo start; if ! false; then echo "guarded"; fi; f; echo never`,
		"start\nguarded\nin f\n", 1),
	bash("set-e-subshell", `set -e; (echo sub; exit 7) || echo "caught $?"; (set -e; false; echo no); echo after`,
		"sub\ncaught 7\n", 1),
	bash("exit-codes", `for c in 0 1 2 126 127 255 256 300; do bash -c "exit $c"; echo -n "$? "; done; nosuchcommand 2>/dev/null; echo -n "$? "; /etc/passwd 2>/dev/null; echo "$?"; bash -c 'kill -TERM $$'; echo "signal $?"`,
		"0 1 2 126 127 255 0 44 127 126\nsignal 143\n", 0),
	bash("exit-status", `echo out; echo err >&2; exit 42`, "out\n", 42),
	bash("read-from-pipe", `printf 'a 1\nb 2\nc 3\n' | while read -r k v; do echo "$v=$k"; done; printf 'x\ny\n' | { read -r l1; read -r l2; echo "$l2$l1"; }; echo "last" | read -r v; echo "v=[$v]"; shopt -s lastpipe; set +m; echo kept | read -r w; echo "w=[$w]"`,
		"1=a\n2=b\n3=c\nyx\nv=[]\nw=[kept]\n", 0),
	bash("arithmetic", `echo $(( (7*6) % 10 )) $(( 1<<40 )) $(( -7/2 )) $(( 2**62 )) $(( 0x1f + 010 )); i=0; while (( i < 5 )); do (( i++ )); done; echo $i; let "j = i * 3"; echo $j; echo $(( 9223372036854775807 + 1 ))`,
		"2 1099511627776 -3 4611686018427387904 39\n5\n15\n-9223372036854775808\n", 0),
	bash("functions", `fact() { local n=$1; if (( n <= 1 )); then echo 1; else echo $(( n * $(fact $((n-1))) )); fi; }; fact 10; g() { return 3; }; g; echo "ret $?"; h() { echo "args $# $*"; shift; echo "$1"; }; h a b c; declare -F | wc -l`,
		"3628800\nret 3\nargs 3 a b c\nb\n3\n", 0),
	bash("ulimit", `ulimit -n 256; ulimit -n; ulimit -Sn 100; ulimit -Sn; (ulimit -n 64; ulimit -n); ulimit -n; exec 3>/dev/null; ls /proc/self/fd | wc -l; ulimit -c 0; ulimit -c`,
		"256\n100\n64\n100\n5\n0\n", 0),
	bash("umask", `umask; umask 027; umask; umask -S; touch f; mkdir d; stat -c '%n %a' f d; (umask 0; touch g; stat -c '%n %a' g); umask`,
		"0022\n0027\nu=rwx,g=rx,o=\nf 640\nd 750\ng 666\n0027\n", 0),
	bash("redirections", `exec 3>out.txt; echo one >&3; echo two >&3; exec 3>&-; cat out.txt; echo err 2>&1 >/dev/null | wc -l; { echo a; echo b >&2; } 2>&1 | sort;`,
		"one\ntwo\n0\na\nb\n", 0),
	// Process substitution and here-strings read through /dev/fd/N and
	// /dev/stdin, which reopen a pipe through /proc/self/fd.
	{name: "process-substitution", args: []string{"bash", "-c", `cat < <(echo procsub); diff <(seq 3) <(seq 3) && echo same; paste -d- <(seq 3) <(seq 4 6); source /dev/stdin <<<'echo sourced'; echo piped | cat /dev/stdin`},
		wantStdout: "procsub\nsame\n1-4\n2-5\n3-6\nsourced\npiped\n"},
	bash("globs-and-strings", `mkdir g && cd g && touch b.txt a.txt c.log; echo *.txt; s="Hello, World"; echo "${s,,} ${s^^} ${#s} ${s/World/Moat} ${s:7:3}"; arr=(z y x); echo "${arr[@]: -2}" "${#arr[@]}"; declare -A m=([k]=v); echo "${m[k]}"`,
		"a.txt b.txt\nhello, world HELLO, WORLD 12 Hello, Moat Wor\ny x 3\nv\n", 0),
	{name: "coproc-and-fifo", args: []string{"bash", "-c", `mkfifo p; (echo through fifo > p) & read -r l < p; echo "$l"; wait; coproc c { tr a-z A-Z; }; echo shout >&"${c[1]}"; exec {c[1]}>&-; read -r up <&"${c[0]}"; echo "$up"; wait`},
		wantStdout: "through fifo\nSHOUT\n"},
	// A reader and a writer meet at a new FIFO, 300 times.
	{name: "fifo-rendezvous", args: []string{"bash", "-c", `for i in $(seq 300); do mkfifo f$i; (echo $i > f$i) & read -r x < f$i; [ "$x" = $i ] || echo "bad $i"; wait; rm f$i; done; echo "300 ok"`},
		wantStdout: "300 ok\n", timeout: 30 * time.Second},
	bash("script-file", `printf '#!/bin/bash\necho "script $# $1"\nexit 5\n' > s.sh; chmod +x s.sh; ./s.sh "one arg"; echo "status $?"; bash s.sh x y; echo "status $?"; printf 'echo sourced $1\n' > lib.sh; source ./lib.sh arg`,
		"script 1 one arg\nstatus 5\nscript 2 x\nstatus 5\nsourced arg\n", 0),
	bash("timeout-kill", `timeout 0.3 sleep 10; echo "timeout $?"; (timeout -s KILL 0.2 sleep 10; echo "kill $?") 2>/dev/null; sleep 10 & p=$!; kill -STOP $p; kill -CONT $p; kill -TERM $p; wait $p; echo "term $?"`,
		"timeout 124\nkill 137\nterm 143\n", 0),
	// A stopped job shows T in /proc/PID/stat until SIGCONT. (SIGINT
	// would be no test: non-interactive bash starts background jobs
	// with SIGINT ignored, racing with the kill.)
	bash("stop-cont", `st() { cut -d' ' -f3 /proc/$p/stat; }; sleep 30 & p=$!; kill -STOP $p; for i in $(seq 300); do [[ $(st) == T ]] && break; sleep 0.01; done; echo "stopped: $(st)"; kill -CONT $p; for i in $(seq 300); do [[ $(st) != T ]] && break; sleep 0.01; done; [[ $(st) == [RS] ]] && echo continued; kill $p; wait $p; echo "status $?"`,
		"stopped: T\ncontinued\nstatus 143\n", 0),
	bash("builtins", `RANDOM=42; echo $RANDOM $RANDOM; printf -v x "%05d" 42; echo $x; seq 3 > f; mapfile -t arr < f; echo "${#arr[@]} ${arr[2]}"; sleep 2 | { read -t 0.2 v; echo "read timeout $?"; }; trap 'echo "err trap"' ERR; false; trap - ERR; f() { trap 'echo "return trap"' RETURN; :; }; f; kill -0 $$ && echo alive; type -t cd ls f; hash -r; command -v seq; getopts ab: o -b val; echo "$o $OPTARG"`,
		"17772 26794\n00042\n3 3\nread timeout 142\nerr trap\nreturn trap\nalive\nbuiltin\nfile\nfunction\n/usr/bin/seq\nb val\n", 0),
	// Here-documents bigger than a pipe's capacity go through a file
	// in $TMPDIR or /tmp; sort spills to temporary files with threads.
	bash("big-heredoc-and-sort", "head -c 100000 /dev/zero | tr '\\0' a > big; x=$(cat <<EOF\n$(cat big)\nEOF\n); echo ${#x}; seq 300000 | sort -S 100K -r --parallel=2 | head -n 2; seq 200000 > s1; seq 200000 | sort -r | sort -n | cmp - s1 && echo sorted",
		"100000\n99999\n99998\nsorted\n", 0).with("cmp"),
	bash("util-linux-and-friends", `exec 5<>rw; echo hi >&5; exec 5>&-; cat rw; nohup echo nohup 2>/dev/null; cat nohup.out; setsid -w sh -c 'echo "setsid leader: $(( $$ == $(cut -d" " -f6 /proc/$$/stat) ))"'; echo "nproc sane: $(( $(nproc) >= 1 ))"; [ -n "$(hostname)" ] && echo hostname; id; whoami; getent passwd root | cut -d: -f1,6; flock lk -c 'echo locked'; (flock -n 9 && flock -n lk -c true || echo "busy $?") 9>lk; seq 5 | tee t1 | tail -n 1; split -l 2 t1 part; ls part*; printf '1 a\n2 b\n' > j1; printf '1 x\n2 y\n' > j2; join j1 j2; timeout 5 true; echo "timeout $?"`,
		"hi\nnohup\nsetsid leader: 1\nnproc sane: 1\nhostname\nuid=0(root) gid=0(root) groups=0(root)\nroot\nroot:/root\nlocked\nbusy 1\n5\npartaa\npartab\npartac\n1 a x\n2 b y\ntimeout 0\n", 0).with("flock", "setsid", "getent", "nohup"),
	// nice(1) reads and sets the niceness with getpriority/setpriority.
	// Relative to the starting niceness, which the caller decides.
	tc{name: "nice", args: []string{"bash", "-c", `n=$(nice); echo $(( $(nice -n 5 nice) - n )) $(( $(nice -n 5 nice -n 3 nice) - n )); renice -n $((n + 2)) -p $$ >/dev/null; echo $(( $(nice) - n )); renice -n $((n - 1)) -p $$ >/dev/null && echo "lowered $(( $(nice) - n ))"`},
		wantStdout: "5 8\n2\nlowered -1\n"}.with("renice"),
	// PIDs are numbered in both runs exactly as Linux numbers them in a
	// new PID namespace: from 1, in creation order, threads included.
	// The program is its session's and process group's leader. (No
	// state letters: whether a process is R or S at a given instant is
	// the scheduler's business.)
	bash("pids-and-ps", `sleep 10 & sleep 10 & jobs -l; python3 -c "import threading, os; t = threading.Thread(target=lambda: print('thread tid', threading.get_native_id())); t.start(); t.join(); print('pid', os.getpid(), 'ppid', os.getppid())"; ps -eo pid,ppid,pgid,sid,comm; ps -o pid,nlwp,comm -p $$; cut -d' ' -f1,4-8 /proc/$$/stat; kill %1 %2; wait`,
		"[1]-     2 Running                 sleep 10 &\n[2]+     3 Running                 sleep 10 &\nthread tid 5\npid 4 ppid 1\n"+
			"    PID    PPID    PGID     SID COMMAND\n      1       0       1       1 bash\n      2       1       1       1 sleep\n      3       1       1       1 sleep\n      6       1       1       1 ps\n"+
			"    PID NLWP COMMAND\n      1    1 bash\n1 0 1 1 0 -1\n", 0).with("python3", "ps"),
	// A C toolchain: make -j4 runs gcc, which runs cc1, as and collect2/ld
	// with temporary files in /tmp.
	bash("gcc-make", `set -e; for i in 1 2 3 4; do printf "int f$i(void) { return $i; }\n" > f$i.c; done; printf '#include <stdio.h>\nint f1(void), f2(void), f3(void), f4(void);\nint main(void) { printf("sum %%d\\n", f1() + f2() + f3() + f4()); return 0; }\n' > main.c; printf 'prog: main.o f1.o f2.o f3.o f4.o\n\tgcc -o $@ $^\n%%.o: %%.c\n\tgcc -O2 -c -o $@ $<\n' > Makefile; make -s -j4; ./prog; gcc -static -o sprog main.c f1.c f2.c f3.c f4.c && ./sprog; echo 'int main(void) { return 7; }' | gcc -x c -o r -; ./r || echo "exit $?"`,
		"sum 10\nsum 10\nexit 7\n", 0).with("gcc", "make"),
	// SIGPIPE in pipelines, signals to process groups (kill 0, killpg),
	// children found by parent (pkill -P).
	bash("signals-and-groups", `yes | head -n 1; echo "${PIPESTATUS[*]}"; (trap '' PIPE; yes 2>/dev/null | head -n 1; echo "${PIPESTATUS[*]}"); sh -c 'sleep 10 & sleep 10 & kill 0'; echo "kill 0: $?"; (sleep 10 & wait $!; echo "inner $?") & w=$!; until pgrep -P $w sleep >/dev/null; do sleep 0.05; done; pkill -TERM -P $w sleep; wait $w; echo "outer $?"; (python3 -c 'import os, signal; os.setpgid(0, 0); os.killpg(os.getpgrp(), signal.SIGUSR2)'; echo "killpg $?") 2>/dev/null; set -m; sleep 10 & p=$!; echo "job has its own group: $(( $(ps -o pgid= -p $p) == p ))"; kill -- -$p; wait $p; echo "group killed $?"`,
		"y\n141 0\ny\n1 0\nkill 0: 143\ninner 143\nouter 0\nkillpg 140\njob has its own group: 1\ngroup killed 143\n", 0).with("ps", "pgrep", "pkill", "python3"),
	// Orphans go to pid 1 (bash here), or to a subreaper below it.
	bash("orphans-and-subreaper", `sh -c 'sleep 10 & echo $!' > pidf; o=$(cat pidf); echo "orphan's parent is pid 1: $(( $(ps -o ppid= -p $o) == 1 ))"; python3 `+testdata("python", "subreaper.py")+`; echo "zombies: $(ps -eo stat= | grep -c Z)"; kill $o`,
		"orphan's parent is pid 1: 1\nsubreaper set: True\nget subreaper: 1\ngrandchild reaped by the subreaper: True 9\nits parent was us: True\nzombies: 0\n", 0).with("ps", "python3"),
	bash("pid-relations", `echo "pid1 $(( $$ == 1 ))"; sh -c 'echo $PPID' > ppid; echo "child's parent is us: $(( $(cat ppid) == $$ ))"; (echo "BASHPID differs in subshell: $(( BASHPID != $$ ))"); sleep 0.1 & echo "bg pid > 1: $(( $! > 1 ))"; wait; echo "$(readlink /proc/self)" > self; echo "proc self differs: $(( $(cat self) != $$ ))"`,
		"pid1 1\nchild's parent is us: 1\nBASHPID differs in subshell: 1\nbg pid > 1: 1\nproc self differs: 1\n", 0),
}

func TestBash(t *testing.T) { runCases(t, bashCases) }
