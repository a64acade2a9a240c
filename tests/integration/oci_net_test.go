package integration

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestOCILoopbackNetwork runs busybox's network tools in a bundle: an
// httpd fetched with wget, nc listening on an ephemeral port (from the
// two the spec's ip_local_port_range leaves, the other one for the
// client) found with netstat (/proc/net/tcp6), a refused connection
// over IPv6, and lo as ip (netlink) and ifconfig (ioctls) describe it.
func TestOCILoopbackNetwork(t *testing.T) {
	o := newOCI(t)
	script := `listening() { i=0; until netstat -tln | grep -q ":$1 "; do i=$((i+1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done; }
echo hello > /tmp/index.html
httpd -f -p 127.0.0.1:8080 -h /tmp &
listening 8080
wget -q -O - http://127.0.0.1:8080/index.html
kill %1
nc -l > /tmp/got &
listening '4000[01]'
p=$(netstat -tln | grep -o ':4000[01] ' | tr -d ': ')
netstat -tln | grep -o ":$p .*LISTEN" | tr -s ' ' | sed "s/$p/PORT/"
echo through-nc | nc 127.0.0.1 $p
wait
cat /tmp/got
wget -q -O - 'http://[::1]:40001/' 2>&1; echo "refused: $?"
ip addr show lo | grep inet | awk '{print $1, $2}'
ifconfig lo | grep -o 'inet addr:[0-9.]*'`
	bundle := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Sysctl: map[string]string{"net.ipv4.ip_local_port_range": "40000 40001"}}
	}, "/bin/sh", "-c", script)
	r := o.run("run", "--bundle", bundle, "net1")
	want := "hello\n:PORT :::* LISTEN\nthrough-nc\nwget: can't connect to remote host: Connection refused\nrefused: 1\n" +
		"inet 127.0.0.1/8\ninet6 ::1/128\ninet addr:127.0.0.1\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("want %q, got %s", want, r)
	}
	bad := o.bundle(func(s *specs.Spec) {
		s.Linux = &specs.Linux{Sysctl: map[string]string{"net.ipv4.ip_local_port_range": "5000 4000"}}
	}, "/bin/true")
	o.fails("ip_local_port_range", "run", "--bundle", bad, "net2")
}

// TestOCIPodLoopback: the containers of a pod share one network
// namespace, as on Linux: a server in one member is reachable on
// 127.0.0.1 from another, and its port is taken for both.
func TestOCIPodLoopback(t *testing.T) {
	o := newOCI(t)
	volume := t.TempDir()
	o.must("create", "--bundle", o.bundle(podSandbox("netpod"), "/bin/sleep", "1000"), "netpod")
	o.must("start", "netpod")
	o.must("run", "--detach", "--bundle", o.bundle(podMember("netpod", podRootfs(t, "alpha"), volume, false),
		"/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/etc"), "web")
	o.must("run", "--detach", "--bundle", o.bundle(podMember("netpod", podRootfs(t, "beta"), volume, false), "/bin/sleep", "1001"), "client")
	got := o.execOut("client", "sh", "-c",
		"i=0; until wget -q -O - http://127.0.0.1:8080/whoami; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done; cat /etc/whoami; httpd -p 127.0.0.1:8080 2>&1; echo $?")
	if want := "alpha\nbeta\nhttpd: bind: Address already in use\n1\n"; got != want {
		t.Errorf("client: want %q, got %q", want, got)
	}
	o.must("delete", "--force", "netpod")
	o.waitStatus("web", "stopped")
	o.waitStatus("client", "stopped")
	o.must("delete", "web")
	o.must("delete", "client")
}
