"""multiprocessing: a Pool of 4, Process with a Queue, a Pipe, shared
Value and Array under a Lock, and the fork and spawn start methods."""
import multiprocessing as mp
import os


def square(x):
    return x * x


def worker_pid(_):
    return os.getpid()


def child(q, n):
    q.put((n, sum(range(n))))


def pinger(conn):
    while True:
        m = conn.recv()
        if m is None:
            break
        conn.send(m * 2)
    conn.close()


def adder(v, arr, lock):
    for _ in range(1000):
        with lock:
            v.value += 1
    for i in range(len(arr)):
        with lock:
            arr[i] += i


if __name__ == "__main__":
    with mp.Pool(4) as pool:
        print("map:", pool.map(square, range(20)))
        print("imap:", sum(pool.imap_unordered(square, range(1000))))
        print("async:", pool.apply_async(square, (12,)).get(timeout=30))
        pids = set(pool.map(worker_pid, range(100), chunksize=1))
        print("pool workers are other processes:", os.getpid() not in pids, 1 <= len(pids) <= 4)
    q = mp.Queue()
    ps = [mp.Process(target=child, args=(q, n)) for n in (10, 100, 1000)]
    for p in ps:
        p.start()
    res = sorted(q.get(timeout=30) for _ in ps)
    for p in ps:
        p.join()
    print("queue:", res, [p.exitcode for p in ps])
    a, b = mp.Pipe()
    p = mp.Process(target=pinger, args=(b,))
    p.start()
    got = []
    for i in range(5):
        a.send(i)
        got.append(a.recv())
    a.send(None)
    p.join()
    print("pipe:", got, p.exitcode)
    v, arr, lock = mp.Value("i", 0), mp.Array("i", 5), mp.Lock()
    ps = [mp.Process(target=adder, args=(v, arr, lock)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("shared:", v.value, list(arr))
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        print("spawn:", pool.map(square, [3, 4]))
    p = mp.Process(target=os._exit, args=(9,))
    p.start()
    p.join()
    print("exitcode:", p.exitcode)
