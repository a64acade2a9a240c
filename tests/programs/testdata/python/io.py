"""select, selectors (epoll), poll on pipes; socketpair with fd passing;
a Unix stream server in /tmp; non-blocking I/O."""
import os
import select
import selectors
import socket
import threading

r, w = os.pipe()
print("select empty:", select.select([r], [], [], 0.05))
os.write(w, b"ping")
rl, wl, _ = select.select([r], [w], [], 1)
print("select ready:", rl == [r], wl == [w])
print("read:", os.read(r, 10))

sel = selectors.DefaultSelector()
print("selector:", type(sel).__name__)
sel.register(r, selectors.EVENT_READ, "pipe")
print("nothing yet:", sel.select(timeout=0.05))
threading.Timer(0.05, lambda: os.write(w, b"later")).start()
ev = sel.select(timeout=5)
print("event:", [(k.data, m) for k, m in ev], os.read(r, 10))
os.close(w)
ev = sel.select(timeout=5)
print("eof readable:", [k.data for k, _ in ev], os.read(r, 10))
sel.unregister(r)
os.close(r)

p = select.poll()
r, w = os.pipe()
p.register(r, select.POLLIN)
p.register(w, select.POLLOUT)
print("poll:", sorted(m for _, m in p.poll(100)) == [select.POLLOUT])
os.close(w)
print("poll hup:", [m & select.POLLHUP != 0 for fd, m in p.poll(100) if fd == r])
os.close(r)

a, b = socket.socketpair()
a.sendall(b"x" * 100000)
got = b""
while len(got) < 100000:
    got += b.recv(65536)
print("socketpair:", len(got), a.family.name, a.type.name)
r, w = os.pipe()
socket.send_fds(a, [b"fd"], [w])
msg, fds, _, _ = socket.recv_fds(b, 10, 1)
os.write(fds[0], b"via passed fd")
print("fd passing:", msg, os.read(r, 20))
b.shutdown(socket.SHUT_WR)
print("after shutdown:", a.recv(10))
a.setblocking(False)
try:
    a.recv(10)
except BlockingIOError as e:
    print("nonblocking:", e.errno)
a.close()
print("closed peer:", b.recv(10))
b.close()

path = "/tmp/moat-io.sock"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(4)


def serve():
    for _ in range(3):
        c, _ = srv.accept()
        with c:
            c.sendall(c.recv(100).upper())


t = threading.Thread(target=serve)
t.start()
replies = []
for word in (b"one", b"two", b"three"):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.connect(path)
        c.sendall(word)
        replies.append(c.recv(100))
t.join()
srv.close()
os.unlink(path)
print("unix server:", replies)

d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
for m in (b"a", b"bb", b"ccc"):
    d1.send(m)
print("datagrams:", [d2.recv(10) for _ in range(3)])
