"""`fastnet serve` under load: requests/s and latency at several concurrencies.

    python benchmarks/bench_serve.py                        # 2,000 requests at 1, 8 and 32
    python benchmarks/bench_serve.py --requests 5000 --concurrency 1 8
    pytest benchmarks/bench_serve.py --benchmark-disable    # quick check (CI, untimed)

The model is the MNIST tutorial's Dense(512, relu) -> Dense(10, softmax) as
fastnet's MultiLayerNet(784, [512], 10), float32, random weights (speed does
not depend on them). The server is `python -m fastnet serve` in a child
process on a free loopback port (kernels on 1 thread); the client is this
process: one thread per concurrent client, each with its own keep-alive
connection, each sending one 784-number row per POST /predict until the
fixed number of requests is spent. The table gives requests/s, p50 and p99
latency, and the batching effect: the mean rows per forward pass, from the
server's own count (GET /model). Loopback only; the server stops at the end.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pytest

HIDDEN = 512


def save_model(path):
    from fastnet.nets import MultiLayerNet

    np.random.seed(0)
    MultiLayerNet(784, [HIDDEN], 10, dtype=np.float32).save(path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m fastnet serve MODEL` in a child process, until stop()."""

    def __init__(self, model, extra=()):
        self.port = free_port()
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        # The log goes to a file: a pipe nobody reads would stall the server when full.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fastnet", "serve", model, "--port", str(self.port),
             *extra], env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"the server stopped: {self.log.read().decode()}")
            try:
                if get(self.port, "/health")["status"] == "ok":
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start within 60 s")

    def stop(self):
        self.process.terminate()
        self.process.wait(20)
        self.log.close()


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def load(port, requests, concurrency, body):
    """(requests/s, latencies in s) of `requests` POST /predict from `concurrency` clients."""
    latencies, errors, lock = [], [], threading.Lock()
    left = [requests]
    start_together = threading.Barrier(concurrency + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        start_together.wait()
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            t0 = time.perf_counter()
            conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
            reply = conn.getresponse()
            reply.read()
            mine.append(time.perf_counter() - t0)
            if reply.status != 200:
                errors.append(reply.status)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start_together.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed: {sorted(set(errors))}")
    return requests / seconds, latencies


def measure(model, requests, concurrencies, extra=()):
    body = json.dumps({"instances": [np.random.default_rng(0).random(784).tolist()]})
    server = Server(model, extra)
    rows = []
    try:
        load(server.port, min(200, requests), 4, body)  # warm up
        for c in concurrencies:
            before = get(server.port, "/model")
            rate, latencies = load(server.port, requests, c, body)
            after = get(server.port, "/model")
            batches = after["batches"] - before["batches"]
            rows.append({"concurrency": c, "requests_per_s": rate,
                         "p50_ms": 1000 * statistics.median(latencies),
                         "p99_ms": 1000 * float(np.percentile(latencies, 99)),
                         "rows_per_batch": (after["rows"] - before["rows"]) / max(batches, 1)})
    finally:
        server.stop()
    return rows


def malformed_bodies():
    """(path, body) of 24 kinds of bad request: each must get a 4xx."""
    row = [0.0] * 784
    as_json = [b"{", b"\xff\xfe", b"[]", b'{"rows": 1}', b'{"instances": "x"}',
               b'{"instances": []}', b'{"instances": [[1, 2]]}', b'{"instances": [1, 2]}',
               b'{"instances": [[NaN]]}', b"[" * 50000 + b"]" * 50000]
    as_json += [json.dumps({"instances": v}).encode() for v in (
        [row, row[:-1]], [["x"] * 784], [[True] * 784], [[None] * 784], [[10**400] + row[1:]],
        [row] * 2000, [[[row]]])]
    as_json.append(b'{"instances": [[Infinity' + b", 0" * 783 + b"]]}")
    as_json.append(b" " * (3 << 20))
    images = [b"", b"GIF89a....", os.urandom(2000), b"\x89PNG\r\n\x1a\n" + os.urandom(100),
              b"\xff\xd8\xff" + os.urandom(100)]
    return [("/predict", b) for b in as_json] + [("/predict/image", b) for b in images]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def abuse(model, rounds):
    """Each malformed kind `rounds` times, a valid request between kinds: every bad one a
    4xx, every good one the same answer; returns (bad requests, kinds, RSS growth MiB)."""
    server = Server(model)
    bad, good = malformed_bodies(), json.dumps({"instances": [[0.5] * 784]}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def post(path, body):
        conn.request("POST", path, body)
        reply = conn.getresponse()
        data = reply.read()
        if reply.getheader("connection") == "close":
            conn.close()
        return reply.status, data

    try:
        first = post("/predict", good)
        before = rss_kib(server.process.pid)
        for _ in range(rounds):
            for path, body in bad:
                status, data = post(path, body)
                if not 400 <= status < 500:
                    raise RuntimeError(f"{path} {body[:40]!r}: status {status}: {data[:200]}")
                if post("/predict", good) != first:
                    raise RuntimeError("a valid request got a different answer")
        growth = (rss_kib(server.process.pid) - before) / 1024
    finally:
        conn.close()
        server.stop()
    return rounds * len(bad), len(bad), growth


def print_table(title, rows):
    print(title)
    print(f"{'concurrency':>11} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'rows/batch':>10}")
    for r in rows:
        print(f"{r['concurrency']:>11} {r['requests_per_s']:>11.0f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['rows_per_batch']:>10.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--abuse-rounds", type=int, default=42,
                        help="rounds of every malformed kind (default 42: 1,008 requests)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "mnist512.fnet")
        save_model(model)
        print_table("fastnet serve (default: a batch is what arrived while the last ran)",
                    measure(model, args.requests, args.concurrency))
        count, kinds, growth = abuse(model, args.abuse_rounds)
        print(f"{count} malformed requests of {kinds} kinds, a valid one after each: all "
              f"answered 4xx / correctly; server RSS grew {growth:.1f} MiB")
        print_table("fastnet serve --max-batch 1 (no batching: one forward pass per request)",
                    measure(model, args.requests, args.concurrency, ["--max-batch", "1"]))
        print_table("fastnet serve --batch-window-ms 1 (each batch waits 1 ms for more)",
                    measure(model, args.requests, args.concurrency,
                            ["--batch-window-ms", "1"]))


def test_serve_under_load_quick(tmp_path):
    """A few hundred requests at concurrency 1 and 8: every one answered, batches formed."""
    for module in ("starlette", "uvicorn", "PIL"):
        pytest.importorskip(module, reason='the "serve" extra is not installed')
    model = str(tmp_path / "mnist512.fnet")
    save_model(model)
    rows = measure(model, 100, [1, 8])
    assert [r["concurrency"] for r in rows] == [1, 8]
    assert all(r["requests_per_s"] > 0 for r in rows)
    assert abuse(model, 1)[0] == len(malformed_bodies())


if __name__ == "__main__":
    main()
