"""subprocess: run with captured output, exit codes, a pipe between two
children, stdin input, a killed child, environment, timeouts, shells."""
import os
import signal
import subprocess
import sys

r = subprocess.run(["echo", "hello", "world"], capture_output=True, text=True)
print("run:", repr(r.stdout), r.returncode)
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print("sh:", repr(r.stdout), repr(r.stderr), r.returncode)
try:
    subprocess.run(["false"], check=True)
except subprocess.CalledProcessError as e:
    print("check:", e.returncode)
try:
    subprocess.run(["/nonexistent/prog"])
except FileNotFoundError as e:
    print("missing:", e.errno, e.strerror)

# seq | sort -rn | head -3: three processes joined by two pipes.
p1 = subprocess.Popen(["seq", "1", "5000"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["sort", "-rn"], stdin=p1.stdout, stdout=subprocess.PIPE)
p1.stdout.close()
p3 = subprocess.Popen(["head", "-n", "3"], stdin=p2.stdout, stdout=subprocess.PIPE, text=True)
p2.stdout.close()
out, _ = p3.communicate()
print("pipeline:", out.split(), p3.returncode, p1.wait(), p2.wait() in (0, -signal.SIGPIPE))

out = subprocess.run(["tr", "a-z", "A-Z"], input="shout\n" * 20000, capture_output=True, text=True).stdout
print("input:", len(out), out[:6].strip())
out = subprocess.check_output("echo $MOAT_X; pwd", shell=True, env={"MOAT_X": "env passed", "PATH": os.environ["PATH"]}, cwd="/", text=True)
print("shell:", out.split("\n")[:2])

p = subprocess.Popen(["sleep", "30"])
p.kill()
print("killed:", p.wait())
p = subprocess.Popen(["sleep", "30"])
p.send_signal(signal.SIGTERM)
print("terminated:", p.wait())
try:
    subprocess.run(["sleep", "30"], timeout=0.3)
except subprocess.TimeoutExpired as e:
    print("timeout:", e.timeout == 0.3)
r = subprocess.run([sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read()[::-1]); sys.exit(7)"], input=b"abc", capture_output=True)
print("python child:", r.stdout, r.returncode)
print("close_fds:", subprocess.run(["ls", "/proc/self/fd"], capture_output=True, text=True).stdout.split())
