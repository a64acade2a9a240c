"""Threads: a lock-protected counter, a condition-variable queue between
producers and consumers, a barrier, thread-local data, and a timed wait."""
import threading
import time

N_THREADS, N_INCR = 8, 5000
count = 0
lock = threading.Lock()


def incr():
    global count
    for _ in range(N_INCR):
        with lock:
            count += 1


ts = [threading.Thread(target=incr) for _ in range(N_THREADS)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("counter", count, count == N_THREADS * N_INCR)

# Bounded buffer with one condition: 3 producers, 2 consumers.
buf, cap, done_producers = [], 4, 0
cond = threading.Condition()
consumed = []


def producer(base):
    global done_producers
    for i in range(100):
        with cond:
            while len(buf) >= cap:
                cond.wait()
            buf.append(base + i)
            cond.notify_all()
    with cond:
        done_producers += 1
        cond.notify_all()


def consumer(out):
    while True:
        with cond:
            while not buf and done_producers < 3:
                cond.wait()
            if not buf:
                return
            out.append(buf.pop(0))
            cond.notify_all()


outs = [[], []]
ths = [threading.Thread(target=producer, args=(b,)) for b in (0, 1000, 2000)]
ths += [threading.Thread(target=consumer, args=(o,)) for o in outs]
for t in ths:
    t.start()
for t in ths:
    t.join()
got = sorted(outs[0] + outs[1])
print("consumed", len(got), got == sorted(list(range(100)) + list(range(1000, 1100)) + list(range(2000, 2100))))

barrier = threading.Barrier(5)
order = []


def at_barrier(i):
    with lock:
        order.append(("before", i))
    barrier.wait()
    with lock:
        order.append(("after", i))


bs = [threading.Thread(target=at_barrier, args=(i,)) for i in range(5)]
for t in bs:
    t.start()
for t in bs:
    t.join()
print("barrier", all(o[0] == "before" for o in order[:5]), len(order))

local = threading.local()
res = {}


def use_local(i):
    local.v = i * i
    time.sleep(0.01)
    res[i] = local.v


ls = [threading.Thread(target=use_local, args=(i,)) for i in range(6)]
for t in ls:
    t.start()
for t in ls:
    t.join()
print("local", [res[i] for i in range(6)])

ev = threading.Event()
t0 = time.monotonic()
print("event wait times out:", ev.wait(0.2) is False, time.monotonic() - t0 >= 0.2)
threading.Timer(0.05, ev.set).start()
print("event set by timer:", ev.wait(10))
print("main ident differs from a thread's:", threading.get_ident() != ts[0].ident)
print("active", threading.active_count())
