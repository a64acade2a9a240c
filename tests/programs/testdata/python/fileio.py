"""File system calls Python's library makes: posix_spawn, pipe2 flags,
flock and fcntl locks between processes, sendfile and copy_file_range
(shutil.copyfile), scandir, utime, xattr-free stat fields, O_APPEND,
truncate, inotify-free polling, fsync."""
import fcntl
import os
import shutil
import stat
import time

os.chdir("/tmp")
pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 6"], {})
print("posix_spawn:", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
pid = os.posix_spawnp("true", ["true"], os.environ)
print("posix_spawnp:", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
r, w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
print("pipe2:", os.get_inheritable(r), os.get_blocking(r))
try:
    os.read(r, 1)
except BlockingIOError:
    print("pipe2: EAGAIN")
os.close(r)
os.close(w)

with open("lockfile", "w") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    pid = os.fork()
    if pid == 0:
        with open("lockfile") as g:
            try:
                fcntl.flock(g, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os._exit(0)
            except BlockingIOError:
                os._exit(11)
    print("flock held elsewhere:", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 11)
    fcntl.flock(f, fcntl.LOCK_UN)
    fcntl.lockf(f, fcntl.LOCK_EX, 10, 0)
    pid = os.fork()
    if pid == 0:
        with open("lockfile", "w") as g:
            try:
                fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
                os._exit(0)
            except OSError:
                pass
            fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 10)
            os._exit(12)
    print("posix lock: range locked, next range free:", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 12)

data = bytes(range(256)) * 40000
with open("src", "wb") as f:
    f.write(data)
shutil.copyfile("src", "dst")
print("copyfile:", open("dst", "rb").read() == data)
with open("src", "rb") as s, open("dst2", "wb") as d:
    sent = 0
    while sent < len(data):
        sent += os.sendfile(d.fileno(), s.fileno(), sent, len(data) - sent)
print("sendfile:", sent, os.path.getsize("dst2"))
with open("src", "rb") as s, open("dst3", "wb") as d:
    n = os.copy_file_range(s.fileno(), d.fileno(), 1000, 500)
print("copy_file_range:", n, open("dst3", "rb").read() == data[500:1500])

with open("app", "w") as f:
    f.write("a" * 10)
fd = os.open("app", os.O_WRONLY | os.O_APPEND)
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"b")
os.fsync(fd)
os.close(fd)
print("append:", open("app").read())
os.truncate("app", 3)
print("truncate:", open("app").read())
os.utime("app", (1000000000, 1000000000))
st = os.stat("app")
print("utime:", st.st_mtime == 1000000000, stat.S_ISREG(st.st_mode), oct(stat.S_IMODE(st.st_mode)))
os.mkdir("d")
for n in ("z", "y", "x"):
    open(os.path.join("d", n), "w").close()
os.symlink("x", "d/link")
print("scandir:", sorted((e.name, e.is_file(), e.is_symlink()) for e in os.scandir("d")))
print("listdir /proc/self/fd:", sorted(int(x) for x in os.listdir("/proc/self/fd"))[:3])
os.rename("d/z", "d/w")
os.replace("d/y", "d/w")
print("rename/replace:", sorted(os.listdir("d")))
os.chmod("d/w", 0o600)
print("chmod:", oct(os.stat("d/w").st_mode & 0o777), os.access("d/w", os.X_OK))
print("statvfs namemax:", os.statvfs("/tmp").f_namemax)
print("realpath:", os.path.realpath("d/link"))
t0 = time.time()
print("clock sane:", t0 > 1.6e9)
