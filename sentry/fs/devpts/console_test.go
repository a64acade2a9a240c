package devpts_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"moat/sentry/abi/linux"
	"moat/sentry/auth"
	"moat/sentry/fs/devpts"
)

// TestConsole opens a console the way the sandbox does for a container
// process's terminal: an unlocked pty whose replica is open, owned by the
// process's user; it becomes a session's controlling terminal with a
// foreground group, and a size change signals that group once.
func TestConsole(t *testing.T) {
	v, op, k := setup(t)
	user := testCtx{auth.NewUser(1000, 1000, nil)}
	c, err := devpts.OpenConsole(user, v, v.Root())
	if err != 0 {
		t.Fatal(err)
	}
	defer c.Master.DecRef()
	if c.Name() != "/dev/pts/0" {
		t.Errorf("name %q, want /dev/pts/0", c.Name())
	}
	st, err := c.Replica.Stat(ctx, linux.STATX_UID|linux.STATX_GID|linux.STATX_MODE)
	if err != 0 {
		t.Fatal(err)
	}
	if st.UID != 1000 || st.GID != 5 || st.Mode&0o7777 != 0o620 {
		t.Errorf("replica uid %d gid %d mode %o, want 1000 5 620", st.UID, st.GID, st.Mode&0o7777)
	}
	// Data typed on the master reaches the replica, echoed.
	if _, err := c.Master.Write(ctx, []byte("hi\n")); err != 0 {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := c.Replica.Read(ctx, buf); err != 0 || string(buf[:n]) != "hi\n" {
		t.Errorf("replica read %q, %v", buf[:n], err)
	}
	if n, err := c.Master.Read(ctx, buf); err != 0 || string(buf[:n]) != "hi\r\n" {
		t.Errorf("master read (echo) %q, %v", buf[:n], err)
	}

	if err := c.AttachSession(7, 8); err != 0 {
		t.Fatal(err)
	}
	if got := v.TerminalSession(v.ControllingTerminal(7)); got != 7 {
		t.Errorf("session of the terminal: %d, want 7", got)
	}
	if err := c.AttachSession(9, 9); err != linux.EPERM {
		t.Errorf("attaching a second session: %v, want EPERM", err)
	}
	c.SetSize(linux.Winsize{Row: 24, Col: 80})
	c.SetSize(linux.Winsize{Row: 24, Col: 80})
	if len(k.sent) != 1 || k.sent[0] != [2]int{8, int(unix.SIGWINCH)} {
		t.Errorf("signals %v, want one SIGWINCH to group 8", k.sent)
	}
	if c.Size().Row != 24 || c.Size().Col != 80 {
		t.Errorf("size %+v", c.Size())
	}
	// The replica stays /dev/pts/0 to the container.
	if _, err := v.OpenAt(ctx, op("/dev/pts/0"), unix.O_RDWR|unix.O_NOCTTY, 0); err != 0 {
		t.Errorf("opening /dev/pts/0: %v", err)
	}
	c.Replica.DecRef()
}
