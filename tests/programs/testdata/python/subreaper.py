"""PR_SET_CHILD_SUBREAPER through ctypes: a grandchild orphaned by its
parent is re-parented to this process, which reaps it with wait()."""
import ctypes
import os
import time

PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER = 36, 37
libc = ctypes.CDLL(None, use_errno=True)
print("subreaper set:", libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
v = ctypes.c_int()
libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(v), 0, 0, 0)
print("get subreaper:", v.value)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    g = os.fork()
    if g == 0:
        os.close(r)
        time.sleep(0.3)
        os.write(w, str(os.getppid()).encode())
        os._exit(9)
    os._exit(0)
os.close(w)
os.waitpid(pid, 0)
p, st = os.wait()
print("grandchild reaped by the subreaper:", p != pid, os.waitstatus_to_exitcode(st))
print("its parent was us:", int(os.read(r, 20)) == os.getpid())
