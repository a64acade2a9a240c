"""Terminals and resources: a pty pair (canonical and raw modes, window
size), pty.fork with a child shell on the terminal as session leader,
rlimits (EMFILE at RLIMIT_NOFILE), getrusage, and /proc and uname facts."""
import fcntl
import os
import pty
import resource
import struct
import termios
import tty

m, s = pty.openpty()
print("isatty:", os.isatty(s), os.isatty(m), os.ttyname(s).startswith("/dev/pts/"))
os.write(m, b"hello\n")
print("canonical read:", os.read(s, 100))
attrs = termios.tcgetattr(s)
print("echo on by default:", bool(attrs[3] & termios.ECHO), "icanon:", bool(attrs[3] & termios.ICANON))
tty.setraw(s)
os.write(m, b"x")
print("raw read:", os.read(s, 10))
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
print("winsize:", struct.unpack("HHHH", fcntl.ioctl(m, termios.TIOCGWINSZ, b"\0" * 8))[:2])
os.close(s)
os.close(m)
pid, fd = pty.fork()
if pid == 0:
    os.execvp("sh", ["sh", "-c", "tty >/dev/null && echo has tty; stty size; stty -a | head -1 | cut -d';' -f2,3; echo $(( $$ == $(ps -o sid= -p $$) ))"])
out = b""
while True:
    try:
        b = os.read(fd, 1024)
    except OSError:
        break
    if not b:
        break
    out += b
os.close(fd)
_, st = os.waitpid(pid, 0)
print("pty.fork child:", out.replace(b"\r\n", b"\n").decode().split("\n"), os.waitstatus_to_exitcode(st))
print("rlimit nofile:", resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 0)
resource.setrlimit(resource.RLIMIT_NOFILE, (50, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
fds = []
try:
    while True:
        fds.append(os.open("/dev/null", os.O_RDONLY))
except OSError as e:
    print("EMFILE at", len(fds) + 3, e.errno)
for f in fds:
    os.close(f)
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
print("core:", resource.getrlimit(resource.RLIMIT_CORE))
ru = resource.getrusage(resource.RUSAGE_SELF)
print("rusage sane:", ru.ru_utime >= 0, ru.ru_maxrss > 0)
sum(i * i for i in range(2000000))
ru2 = resource.getrusage(resource.RUSAGE_SELF)
print("cpu grew:", ru2.ru_utime + ru2.ru_stime > ru.ru_utime + ru.ru_stime)
print("cpu_count sane:", os.cpu_count() >= 1, len(os.sched_getaffinity(0)) >= 1)
print("loadavg:", len(os.getloadavg()))
print("uname:", os.uname().sysname, os.uname().machine)
print("meminfo has MemTotal:", any(line.startswith("MemTotal:") for line in open("/proc/meminfo")))
