"""asyncio (epoll event loop, subprocesses, Unix-socket streams, signal
handlers through a wakeup fd, timeouts) and concurrent.futures with
thread and process pools."""
import asyncio
import concurrent.futures
import os
import signal


async def worker(i):
    await asyncio.sleep(0.01 * (5 - i))
    return i * 10


async def handle(reader, writer):
    data = await reader.readline()
    writer.write(b"ack " + data)
    await writer.drain()
    writer.close()


async def main():
    print("gather:", await asyncio.gather(*(worker(i) for i in range(5))))
    # The completion order comes from events set in reverse, each once
    # the previous worker has finished: no race with the clock on a
    # loaded machine (sleeps 10 ms apart reordered there).
    events = [asyncio.Event() for _ in range(5)]
    finished = [asyncio.Event() for _ in range(5)]

    async def gated(i):
        await events[i].wait()
        finished[i].set()
        return i * 10

    async def release():
        for i in reversed(range(5)):
            events[i].set()
            await finished[i].wait()

    releaser = asyncio.ensure_future(release())
    done = []
    for coro in asyncio.as_completed([gated(i) for i in range(5)]):
        done.append(await coro)
    await releaser
    print("as_completed:", done)

    proc = await asyncio.create_subprocess_exec(
        "sh", "-c", "read x; echo got $x; echo err >&2; exit 4",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate(b"input\n")
    print("subprocess:", out, err, proc.returncode)
    procs = [await asyncio.create_subprocess_exec("sh", "-c", f"sleep 0.{i}; exit {i}") for i in range(1, 6)]
    print("many subprocesses:", await asyncio.gather(*(p.wait() for p in procs)))

    path = "/tmp/asyncio.sock"
    server = await asyncio.start_unix_server(handle, path)
    replies = []
    for i in range(3):
        r, w = await asyncio.open_unix_connection(path)
        w.write(b"msg%d\n" % i)
        await w.drain()
        replies.append(await r.readline())
        w.close()
        await w.wait_closed()
    server.close()
    await server.wait_closed()
    os.unlink(path)
    print("unix streams:", replies)

    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.add_signal_handler(signal.SIGUSR1, lambda: fut.set_result("SIGUSR1 via wakeup fd"))
    loop.call_later(0.05, os.kill, os.getpid(), signal.SIGUSR1)
    print("signal handler:", await asyncio.wait_for(fut, 10))
    loop.remove_signal_handler(signal.SIGUSR1)
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.1)
    except asyncio.TimeoutError:
        print("wait_for: timed out")
    q = asyncio.Queue()

    async def producer():
        for i in range(100):
            await q.put(i)
        await q.put(None)

    async def consumer():
        total = 0
        while (item := await q.get()) is not None:
            total += item
        return total
    _, total = await asyncio.gather(producer(), consumer())
    print("queue total:", total)
    print("run_in_executor:", await loop.run_in_executor(None, sum, range(1000)))


def cube(x):
    return x ** 3


if __name__ == "__main__":
    asyncio.run(main())
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        print("thread pool:", sum(ex.map(cube, range(1000))))
    with concurrent.futures.ProcessPoolExecutor(max_workers=3) as ex:
        futs = [ex.submit(cube, i) for i in range(20)]
        print("process pool:", [f.result() for f in futs][-3:])
        print("process pool map:", list(ex.map(cube, range(5), chunksize=2)))
