"""Networking over loopback: http.server with urllib (IPv4 and IPv6),
a socketserver echo driven by selectors, UDP, and what socket and
getaddrinfo say of the loopback interface."""
import http.server
import selectors
import socket
import socketserver
import threading
import urllib.request


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from %s" % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class V6Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def fetch(server_cls, host, url_host):
    srv = server_cls((host, 0), Hello)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    port = srv.server_address[1]
    with urllib.request.urlopen("http://%s:%d/index" % (url_host, port), timeout=10) as r:
        print(host, r.status, r.read().decode(), r.headers["Content-Length"])
    srv.shutdown()
    srv.server_close()


fetch(http.server.ThreadingHTTPServer, "127.0.0.1", "127.0.0.1")
fetch(V6Server, "::1", "[::1]")


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())


with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) as srv:
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sel = selectors.DefaultSelector()
    c = socket.create_connection(srv.server_address)
    c.setblocking(False)
    sel.register(c, selectors.EVENT_READ)
    c.sendall(b"one\ntwo\n")
    got = b""
    while got.count(b"\n") < 2:
        for key, _ in sel.select(timeout=10):
            got += key.fileobj.recv(100)
    print("echo", got.decode().split())
    c.shutdown(socket.SHUT_WR)
    c.setblocking(True)
    print("eof", c.recv(10))
    c.close()
    srv.shutdown()

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v.sendto(b"dgram", ("::ffff:127.0.0.1", u.getsockname()[1]))
data, addr = u.recvfrom(100)
print("udp", data, addr[0])

try:
    socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5)
except ConnectionRefusedError as e:
    print("refused", e.errno)
print("lo index", socket.if_nametoindex("lo"))
print("localhost", sorted({a[4][0] for a in socket.getaddrinfo("localhost", 80, proto=socket.IPPROTO_TCP)}))
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
print("options", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE))
