"""exec and fork from a multithreaded process: a non-leader thread calls
execv while other threads block in a condition wait and in sleep; the
new image keeps the process's PID (the exec'ing thread takes the
leader's place). Before that, a thread forks a child that runs alone."""
import os
import sys
import threading
import time

if len(sys.argv) > 1:
    print("new image: pid kept:", os.getpid() == int(sys.argv[1]), "threads:", threading.active_count())
    print("tasks in /proc:", len(os.listdir("/proc/self/task")))
    sys.exit(0)

cond = threading.Condition()


def blocked():
    with cond:
        cond.wait()


def sleeper():
    time.sleep(60)


for target in [blocked] * 5 + [sleeper] * 5:
    threading.Thread(target=target, daemon=True).start()
time.sleep(0.1)
print("threads before:", threading.active_count(), len(os.listdir("/proc/self/task")))

result = {}


def forker():
    pid = os.fork()
    if pid == 0:
        os.write(1, ("child of a threaded process has %d task(s)\n" % len(os.listdir("/proc/self/task"))).encode())
        os._exit(5)
    result["fork"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


t = threading.Thread(target=forker)
t.start()
t.join()
print("fork from a thread:", result["fork"])
sys.stdout.flush()


def execer():
    os.execv(sys.executable, [sys.executable, __file__, str(os.getpid())])


threading.Thread(target=execer).start()
time.sleep(10)
print("exec did not happen")
