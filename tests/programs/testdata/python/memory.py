"""Memory and descriptors shared between processes: MAP_SHARED anonymous
memory across fork, POSIX shared memory (/dev/shm), memfd_create, and
eventfd counters."""
import mmap
import os
from multiprocessing import shared_memory

m = mmap.mmap(-1, 4096)
private = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE)
pid = os.fork()
if pid == 0:
    m[0:5] = b"child"
    private[0:5] = b"child"
    os._exit(0)
os.waitpid(pid, 0)
print("shared anon across fork:", m[0:5], "private stays:", private[0:5])

shm = shared_memory.SharedMemory(create=True, size=1024)
pid = os.fork()
if pid == 0:
    s2 = shared_memory.SharedMemory(name=shm.name)
    s2.buf[:3] = b"shm"
    s2.close()
    os._exit(0)
os.waitpid(pid, 0)
print("posix shm:", bytes(shm.buf[:3]), os.path.exists("/dev/shm/" + shm.name))
shm.close()
shm.unlink()
print("unlinked:", os.path.exists("/dev/shm/" + shm.name))

fd = os.memfd_create("moat")
os.write(fd, b"memfd data")
pid = os.fork()
if pid == 0:
    os.pwrite(fd, b"MEMFD", 0)
    os._exit(0)
os.waitpid(pid, 0)
print("memfd:", os.pread(fd, 10, 0), os.readlink(f"/proc/self/fd/{fd}"))

efd = os.eventfd(0)
os.eventfd_write(efd, 3)
os.eventfd_write(efd, 4)
print("eventfd:", os.eventfd_read(efd))
sem = os.eventfd(2, os.EFD_SEMAPHORE | os.EFD_NONBLOCK)
print("semaphore:", os.eventfd_read(sem), os.eventfd_read(sem))
try:
    os.eventfd_read(sem)
except BlockingIOError:
    print("semaphore empty: EAGAIN")
