"""`fastnet serve` under load, side by side with the curriculum's Flask + Keras stack.

    python benchmarks/bench_serve.py --peer-python .venv-keras/bin/python
    python benchmarks/bench_serve.py --requests 2000 --rounds 3 --concurrency 1 8
    python benchmarks/bench_serve.py --variants               # fastnet's batching settings
    pytest benchmarks/bench_serve.py --benchmark-disable      # quick check (CI, untimed)

The model is the MNIST tutorial's Dense(512, relu) -> Dense(10, softmax) as
fastnet's MultiLayerNet(784, [512], 10), float32, random weights (speed does
not depend on them). Two servers serve it, each in a child process on a free
loopback port with its kernels on 1 thread:

- fastnet: `python -m fastnet serve MODEL` (Starlette on uvicorn, micro-batching);
- the peer: the curriculum's stack, Flask's built-in server and one Keras 3
  `model.predict` per request on PyTorch (benchmarks/peers/flask_keras_server.py),
  run by the Python of its own venv (`--peer-python`; Flask and Keras are no
  dependencies of fastnet): `python3 -m venv .venv-keras && .venv-keras/bin/pip
  install keras torch flask`. Without it the peer is skipped, saying so.

Both load the same weights from the same file, and their answers to one row
are compared before anything is timed. The client is this process, the same
for both: one thread per concurrent client, each with its own keep-alive
connection, each sending the same 784-number row per POST /predict until the
fixed number of requests is spent. The two servers take turns for `--rounds`
rounds (the machine is shared: a slow minute hits one round of each, not one
side); the table gives the median of the rounds with their range, and the
ratios fastnet / peer. Besides requests/s and latency it gives the server's
CPU time per request (from /proc: what serving costs, which a busy machine
disturbs less than it does the clock) and, for fastnet, the rows per forward
pass (the batching, from its GET /model). Loopback only; every server is
stopped at the end.
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
PEER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers",
                           "flask_keras_server.py")
PEER_ENVIRONMENT = {"KERAS_BACKEND": "torch"}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def save_model(path):
    from fastnet.nets import MultiLayerNet

    np.random.seed(0)
    MultiLayerNet(784, [HIDDEN], 10, dtype=np.float32).save(path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`command` (a list, with "{port}" where the port goes) in a child process, until stop()."""

    def __init__(self, command, env=None):
        self.port = free_port()
        # The log goes to a file: a pipe nobody reads would stall the server when full.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [part.replace("{port}", str(self.port)) for part in command],
            env={**os.environ, **ONE_THREAD, **(env or {})}, stdout=self.log,
            stderr=self.log)
        deadline = time.monotonic() + 120  # Keras and torch take seconds to import
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"the server stopped: {self.log.read().decode()}")
            try:
                if get(self.port, "/health")["status"] == "ok":
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not start within 120 s: {command}")

    def stop(self):
        self.process.terminate()
        self.process.wait(20)
        self.log.close()


def fastnet_server(model, extra=()):
    return Server([sys.executable, "-m", "fastnet", "serve", model, "--port", "{port}",
                   *extra])


def peer_server(peer_python, model):
    return Server([peer_python, PEER_SCRIPT, model, "--port", "{port}"],
                  env=PEER_ENVIRONMENT)


def peer_missing(peer_python):
    """Why the peer cannot run (a sentence), or None when it can."""
    if not peer_python or not os.path.exists(peer_python):
        return (f"no peer Python at {peer_python!r} (--peer-python: a venv with keras, "
                "torch and flask)")
    check = subprocess.run([peer_python, "-c", "import flask, keras, torch"],
                           capture_output=True, text=True,
                           env={**os.environ, **PEER_ENVIRONMENT})
    if check.returncode != 0:
        return f"{peer_python} cannot import flask, keras and torch: {check.stderr.strip()}"
    return None


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc), or NaN elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def post(port, path, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
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


def the_row():
    """The one request body every client sends, to both servers."""
    return json.dumps({"instances": [np.random.default_rng(0).random(784).tolist()]})


def measure(server, requests, concurrencies, batches=True):
    """Rows of the table for a started server, which is stopped at the end. `batches`:
    read the rows per forward pass from the server's GET /model (fastnet's only)."""
    body = the_row()
    rows = []
    try:
        load(server.port, min(200, requests), 4, body)  # warm up
        for c in concurrencies:
            before = get(server.port, "/model") if batches else None
            cpu = cpu_seconds(server.process.pid)
            rate, latencies = load(server.port, requests, c, body)
            row = {"concurrency": c, "requests_per_s": rate,
                   "p50_ms": 1000 * statistics.median(latencies),
                   "p99_ms": 1000 * float(np.percentile(latencies, 99)),
                   "cpu_ms": 1000 * (cpu_seconds(server.process.pid) - cpu) / requests}
            if batches:
                after = get(server.port, "/model")
                row["rows_per_batch"] = ((after["rows"] - before["rows"])
                                         / max(after["batches"] - before["batches"], 1))
            rows.append(row)
    finally:
        server.stop()
    return rows


def same_answers(model, peer_python):
    """The largest difference between the two servers' probabilities for the same row."""
    body = the_row()
    answers = []
    for server in (fastnet_server(model), peer_server(peer_python, model)):
        try:
            answers.append(post(server.port, "/predict", body)["predictions"][0])
        finally:
            server.stop()
    if answers[0]["class"] != answers[1]["class"]:
        raise RuntimeError(f"the servers disagree: {answers}")
    return float(np.max(np.abs(np.subtract(answers[0]["probabilities"],
                                           answers[1]["probabilities"]))))


def compare(model, peer_python, requests, concurrencies, rounds):
    """{side: [rows of each round]}: fastnet and the peer in turns, `rounds` times."""
    results = {"fastnet": [], "peer": []}
    for _ in range(rounds):
        results["fastnet"].append(measure(fastnet_server(model), requests, concurrencies))
        if peer_python:
            results["peer"].append(measure(peer_server(peer_python, model), requests,
                                           concurrencies, batches=False))
    return results


def spread(values, unit=""):
    """'median (min-max)' of the rounds' values."""
    digits = 0 if statistics.median(values) >= 100 else 2
    return (f"{statistics.median(values):.{digits}f}{unit} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


def print_comparison(results, concurrencies):
    rounds = len(results["fastnet"])
    print(f"median of {rounds} rounds (min-max)")
    keys = ("requests_per_s", "p50_ms", "p99_ms", "cpu_ms", "rows_per_batch")
    print(f"{'server':<8} {'concurrency':>11}  {'requests/s':<19} {'p50 ms':<19} "
          f"{'p99 ms':<19} {'server CPU ms/req':<19} rows/batch")
    for side, runs in results.items():
        for i, c in enumerate(concurrencies):
            cells = [spread([run[i][key] for run in runs]) if key in runs[0][i] else ""
                     for key in keys]
            print(f"{side:<8} {c:>11}  " + " ".join(f"{cell:<19}" for cell in cells))
    if not results["peer"]:
        return
    print("fastnet against the peer, each round's pair (median of the rounds, min-max):")
    for i, c in enumerate(concurrencies):
        pairs = list(zip(results["fastnet"], results["peer"]))
        speed = [f[i]["requests_per_s"] / p[i]["requests_per_s"] for f, p in pairs]
        p99 = [f[i]["p99_ms"] / p[i]["p99_ms"] for f, p in pairs]
        print(f"  concurrency {c}: requests/s {spread(speed, '×')}; "
              f"p99 {spread(p99, '×')} of the peer's")


def print_table(title, rows):
    print(title)
    print(f"{'concurrency':>11} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'CPU ms/req':>10} {'rows/batch':>10}")
    for r in rows:
        print(f"{r['concurrency']:>11} {r['requests_per_s']:>11.0f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['cpu_ms']:>10.2f} {r['rows_per_batch']:>10.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per concurrency and round")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer-python", default=".venv-keras/bin/python",
                        help="the Python of a venv with keras, torch and flask")
    parser.add_argument("--variants", action="store_true",
                        help="also fastnet alone with --max-batch 1 and --batch-window-ms 1")
    args = parser.parse_args(argv)
    peer_python = args.peer_python
    why = peer_missing(peer_python)
    if why:
        print(f"the peer is skipped: {why}")
        peer_python = None
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "mnist512.fnet")
        save_model(model)
        if peer_python:
            print(f"same model: the probabilities of the two servers differ by at most "
                  f"{same_answers(model, peer_python):.1e}")
        print_comparison(compare(model, peer_python, args.requests, args.concurrency,
                                 args.rounds), args.concurrency)
        if args.variants:
            for title, extra in [
                    ("--max-batch 1 (no batching: one forward pass per request)",
                     ["--max-batch", "1"]),
                    ("--batch-window-ms 1 (each batch waits 1 ms for more)",
                     ["--batch-window-ms", "1"])]:
                print_table(f"fastnet serve {title}", measure(
                    fastnet_server(model, extra), args.requests, args.concurrency))


def test_serve_under_load_quick(tmp_path):
    """A few hundred requests at concurrency 1 and 8: every one answered, batches formed."""
    for module in ("starlette", "uvicorn", "PIL", "python_multipart"):
        pytest.importorskip(module, reason='the "serve" extra is not installed')
    model = str(tmp_path / "mnist512.fnet")
    save_model(model)
    rows = measure(fastnet_server(model), 100, [1, 8])
    assert [r["concurrency"] for r in rows] == [1, 8]
    assert all(r["requests_per_s"] > 0 and r["rows_per_batch"] >= 1 for r in rows)


def test_peer_serves_the_same_model_quick(tmp_path):
    """The peer (when its venv is at .venv-keras) answers as fastnet does, and under load."""
    why = peer_missing(".venv-keras/bin/python")
    if why:
        pytest.skip(f"the Flask + Keras peer is not installed: {why}")
    model = str(tmp_path / "mnist512.fnet")
    save_model(model)
    assert same_answers(model, ".venv-keras/bin/python") < 1e-5
    rows = measure(peer_server(".venv-keras/bin/python", model), 50, [1, 8], batches=False)
    assert all(r["requests_per_s"] > 0 for r in rows)


if __name__ == "__main__":
    main()
