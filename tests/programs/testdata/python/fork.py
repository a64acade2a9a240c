"""os.fork: exit statuses through waitpid, a pipe from child to parent,
copy-on-write memory, exec in the child, a fork tree, and reaping with
WNOHANG."""
import os
import sys
import time

pid = os.fork()
if pid == 0:
    os._exit(42)
wpid, st = os.waitpid(pid, 0)
print("exit:", wpid == pid, os.WIFEXITED(st), os.WEXITSTATUS(st))

r, w = os.pipe()
data = [1, 2, 3]
pid = os.fork()
if pid == 0:
    os.close(r)
    data.append(4)
    os.write(w, repr((data, os.getppid() != os.getpid())).encode())
    os._exit(0)
os.close(w)
msg = b""
while True:
    b = os.read(r, 4096)
    if not b:
        break
    msg += b
os.close(r)
os.waitpid(pid, 0)
print("pipe:", msg.decode(), "parent still has", data)

big = bytearray(b"x" * (32 << 20))
pid = os.fork()
if pid == 0:
    big[0:5] = b"child"
    os._exit(0 if big[:5] == b"child" else 1)
_, st = os.waitpid(pid, 0)
print("cow:", os.waitstatus_to_exitcode(st), bytes(big[:5]))

pid = os.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", "echo exec from child; exit 3"])
_, st = os.waitpid(pid, 0)
print("exec status:", os.waitstatus_to_exitcode(st))
sys.stdout.flush()


def tree(depth):
    """Each level forks two children and returns the size of its subtree."""
    if depth == 0:
        return 1
    total = 1
    kids = []
    for _ in range(2):
        r, w = os.pipe()
        p = os.fork()
        if p == 0:
            os.close(r)
            os.write(w, str(tree(depth - 1)).encode())
            os._exit(0)
        os.close(w)
        kids.append((p, r))
    for p, r in kids:
        total += int(os.read(r, 64))
        os.close(r)
        os.waitpid(p, 0)
    return total


print("tree of depth 4:", tree(4))

pid = os.fork()
if pid == 0:
    time.sleep(0.2)
    os._exit(5)
print("wnohang:", os.waitpid(pid, os.WNOHANG))
_, st = os.waitpid(pid, 0)
print("later:", os.waitstatus_to_exitcode(st))
try:
    os.waitpid(-1, 0)
except ChildProcessError as e:
    print("no children:", e.errno)
pids = [os.fork() for _ in range(1)]
if pids[0] == 0:
    os._exit(0)
print("wait any:", os.wait()[0] == pids[0])
print("process group:", os.getpgrp() == os.getpgid(0), "session:", os.getsid(0) == os.getsid(os.getpid()))
