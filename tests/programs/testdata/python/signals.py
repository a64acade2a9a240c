"""Signals: a handler for a self-sent SIGUSR1, signal.alarm with pause,
an interval timer, masks, sigwait, a SIGCHLD handler, and a sleep that
a handler interrupts (PEP 475 resumes it)."""
import os
import signal
import time

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(signal.Signals(s).name))
os.kill(os.getpid(), signal.SIGUSR1)
signal.raise_signal(signal.SIGUSR1)
print("usr1:", got)

signal.signal(signal.SIGALRM, lambda s, f: got.append("alarm"))
print("alarm previous:", signal.alarm(1))
t0 = time.monotonic()
signal.pause()
print("alarm:", got[-1], time.monotonic() - t0 >= 0.9)

ticks = []
signal.signal(signal.SIGALRM, lambda s, f: ticks.append(1))
signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
while len(ticks) < 5:
    signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
print("itimer ticks:", len(ticks))

old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
os.kill(os.getpid(), signal.SIGUSR2)
print("pending:", signal.sigpending() == {signal.SIGUSR2}, signal.SIGUSR2 not in old)
print("sigwait:", signal.sigwait({signal.SIGUSR2}).name)
info = None
os.kill(os.getpid(), signal.SIGUSR2)
info = signal.sigwaitinfo({signal.SIGUSR2})
print("siginfo:", info.si_signo == signal.SIGUSR2, info.si_pid == os.getpid(), info.si_code == 0)
print("timedwait:", signal.sigtimedwait({signal.SIGUSR2}, 0.1))
signal.pthread_sigmask(signal.SIG_SETMASK, old)

chld = []
signal.signal(signal.SIGCHLD, lambda s, f: chld.append(s))
pid = os.fork()
if pid == 0:
    os._exit(4)
_, st = os.waitpid(pid, 0)
time.sleep(0.05)
print("sigchld:", len(chld) >= 1, os.waitstatus_to_exitcode(st))
signal.signal(signal.SIGCHLD, signal.SIG_DFL)

signal.signal(signal.SIGUSR1, lambda s, f: got.append("during sleep"))
pid = os.fork()
if pid == 0:
    time.sleep(0.1)
    os.kill(os.getppid(), signal.SIGUSR1)
    os._exit(0)
t0 = time.monotonic()
time.sleep(0.5)
print("sleep resumed:", got[-1], time.monotonic() - t0 >= 0.5)
os.waitpid(pid, 0)

print("getsignal:", signal.getsignal(signal.SIGINT) is signal.default_int_handler, signal.getsignal(signal.SIGPIPE))
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR2)
print("ignored: still here")
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(0)
_, st = os.waitpid(pid, 0)
print("child killed by:", signal.Signals(os.WTERMSIG(st)).name)
