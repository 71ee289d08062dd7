"""Children of a process that ran threaded kernels must not hang, whatever the start method.

GNU OpenMP is not fork-safe: a forked child that starts a threaded region
waits forever for its parent's threads. fastnet drops the forking thread to
one thread in the child (fastnet.threads). Each case runs in its own
process group with a timeout, so a hang fails the test instead of hanging CI.
"""

import ast
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from fastnet import _openmp

pytestmark = pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: no threads")

# Ample for a child that computes for milliseconds; only a hang gets near it.
TIMEOUT_S = 90

# A gradient large enough that its products and ReLU run on both threads.
SCRIPT = textwrap.dedent("""
    import multiprocessing, sys, threading, warnings
    import numpy as np
    import fastnet
    from fastnet.nets import TwoLayerNet

    X = np.random.default_rng(0).random((1000, 784))
    T = np.arange(1000) % 10
    # Built here, not in the threads: np.random's global generator holds a
    # lock while it draws, and a fork at that moment leaves it locked forever.
    NET = TwoLayerNet(784, 200, 10)

    def gradient_threads(_, net=NET):
        grads = net.gradient(X, T)
        return fastnet.get_num_threads(), bool(np.isfinite(grads["W1"]).all())

    def ask_for_two(_):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fastnet.set_num_threads(2)
            fastnet.set_num_threads(2)
        return gradient_threads(0), [str(w.message) for w in caught]

    if __name__ == "__main__":
        method, case = sys.argv[1], sys.argv[2]
        fastnet.set_num_threads(2)
        gradient_threads(0)  # the parent's OpenMP team is running now
        stop = threading.Event()
        if case == "busy":  # another thread is inside threaded kernels at each fork
            busy_net = TwoLayerNet(784, 200, 10)

            def busy():
                fastnet.set_num_threads(2)
                while not stop.is_set():
                    gradient_threads(0, busy_net)
            threading.Thread(target=busy).start()
        context = multiprocessing.get_context(method)
        work = ask_for_two if case == "ask" else gradient_threads
        for _ in range(5 if case == "busy" else 1):
            with context.Pool(1) as pool:
                result = pool.map(work, [0])[0]
        stop.set()
        print(repr(result))
        print("parent threads", fastnet.get_num_threads())
""")


def _run(tmp_path, method, case):
    """The script's stdout lines and stderr; fails the test if it runs past TIMEOUT_S."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method!r} start method on this platform")
    script = tmp_path / "child_work.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, OMP_NUM_THREADS="2")
    proc = subprocess.Popen([sys.executable, str(script), method, case], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group: a hung pool dies with it
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"a {method!r} child hung (case {case!r}): killed after {TIMEOUT_S} s")
    assert proc.returncode == 0, err
    return out.splitlines(), err


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_child_computes_after_parent_used_threads(tmp_path, method):
    lines, err = _run(tmp_path, method, "plain")
    threads, finite = ast.literal_eval(lines[0])
    assert finite
    # a forked child stays on one thread; the others start fresh with OMP_NUM_THREADS
    assert threads == (1 if method == "fork" else 2)
    assert lines[1] == "parent threads 2"
    assert "started by fork" not in err  # quiet unless the child asks for threads


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_fork_while_another_thread_is_in_a_threaded_kernel(tmp_path, method):
    lines, _ = _run(tmp_path, method, "busy")
    assert ast.literal_eval(lines[0])[1]


def test_forked_child_asking_for_threads_warns_once_and_stays_on_one(tmp_path):
    lines, _ = _run(tmp_path, "fork", "ask")
    (threads, finite), messages = ast.literal_eval(lines[0])
    assert threads == 1 and finite
    assert len(messages) == 1 and "process started by fork" in messages[0]


def test_spawned_child_may_ask_for_threads(tmp_path):
    lines, _ = _run(tmp_path, "spawn", "ask")
    (threads, finite), messages = ast.literal_eval(lines[0])
    assert threads == 2 and finite and messages == []
