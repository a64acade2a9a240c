"""Job control seen by a parent: SIGSTOP and SIGCONT reported by waitpid
(WUNTRACED, WCONTINUED), the stopped state in /proc, and a SIGTSTP
handler."""
import os
import signal
import time


def state(pid):
    return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]


pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
os.kill(pid, signal.SIGSTOP)
_, st = os.waitpid(pid, os.WUNTRACED)
print("stopped:", os.WIFSTOPPED(st), signal.Signals(os.WSTOPSIG(st)).name)
print("stat state:", state(pid))
print("status:", [line.split(None, 1)[1].strip() for line in open(f"/proc/{pid}/status") if line.startswith("State:")])
os.kill(pid, signal.SIGCONT)
_, st = os.waitpid(pid, os.WCONTINUED)
print("continued:", os.WIFCONTINUED(st))
print("state after SIGCONT:", state(pid) in ("R", "S"))
os.kill(pid, signal.SIGKILL)
_, st = os.waitpid(pid, 0)
print("killed:", signal.Signals(os.WTERMSIG(st)).name)

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    signal.signal(signal.SIGTSTP, lambda s, f: os.write(w, b"tstp handled\n"))
    os.write(w, b"ready\n")
    time.sleep(30)
    os._exit(3)
os.close(w)
f = os.fdopen(r)
print("child:", f.readline().strip())
os.kill(pid, signal.SIGTSTP)
print("child:", f.readline().strip())
os.kill(pid, signal.SIGTERM)
_, st = os.waitpid(pid, 0)
print("terminated:", signal.Signals(os.WTERMSIG(st)).name)
