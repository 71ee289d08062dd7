"""Requests that arrive together share one forward pass (counted, never timed)."""

import asyncio
import threading

import numpy as np
from _server import request, start

import fastnet
from fastnet.serve import ServedModel
from fastnet.serve.batching import MicroBatcher
from fastnet.serve.errors import RequestError


def doubling(x):
    doubling.batches.append(len(x))
    return x * 2


def test_requests_waiting_together_are_one_batch():
    doubling.batches = []
    batcher = MicroBatcher(doubling, window=0)

    async def many():
        rows = [np.full((k, 2), float(k)) for k in (1, 2, 3, 1, 5)]
        return rows, await asyncio.gather(*(batcher.predict(x) for x in rows))

    rows, outs = asyncio.run(many())
    batcher.close()
    assert doubling.batches == [12] and batcher.forward_calls == 1
    for x, out in zip(rows, outs):  # each request gets its own rows back
        np.testing.assert_array_equal(out, x * 2)


def test_batches_stop_at_max_batch_and_the_queue_is_bounded():
    doubling.batches = []
    batcher = MicroBatcher(doubling, window=0, max_batch=4, max_queue=10)

    async def many():
        first = [batcher.predict(np.zeros((2, 1))) for _ in range(5)]
        tasks = [asyncio.ensure_future(c) for c in first]
        await asyncio.sleep(0)
        try:
            await batcher.predict(np.zeros((1, 1)))  # 11 rows would be waiting
        except RequestError as err:
            refused = err
        await asyncio.gather(*tasks)
        return refused

    refused = asyncio.run(many())
    batcher.close()
    assert refused.status == 503 and "busy" in refused.message
    assert doubling.batches == [4, 4, 2]


def test_a_failing_forward_reaches_every_request_and_serving_goes_on():
    calls = []

    def flaky(x):
        calls.append(len(x))
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return x

    batcher = MicroBatcher(flaky, window=0)

    async def twice():
        first = await asyncio.gather(batcher.predict(np.ones((1, 1))),
                                     batcher.predict(np.ones((1, 1))), return_exceptions=True)
        return first, await batcher.predict(np.ones((1, 1)))

    first, second = asyncio.run(twice())
    batcher.close()
    assert all(isinstance(e, RuntimeError) for e in first) and second.tolist() == [[1.0]]


def test_concurrent_http_requests_share_forward_passes(model_file, digits):
    x, _ = digits
    # A long window so that every request of the burst arrives within it, however
    # slow the machine: the count below does not depend on timing otherwise.
    running = start(ServedModel.load(model_file), batch_window=0.5)
    n = 16
    answers = [None] * n
    barrier = threading.Barrier(n)

    def client(i):
        barrier.wait()
        answers[i] = request(running.url + "/predict", {"instances": x[i:i + 1].tolist()})

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        batcher = running.app.state.batcher
        calls, rows = batcher.forward_calls, batcher.rows_served
    finally:
        running.stop()
    alone = [str(c) for c in fastnet.load(model_file).predict(x[:n]).argmax(axis=1)]
    assert [a[1]["predictions"][0]["class"] for a in answers] == alone
    assert rows == n and calls < n / 2, (calls, rows)

