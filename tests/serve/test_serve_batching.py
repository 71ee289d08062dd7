"""Requests that arrive together share one forward pass (counted, never timed)."""

import asyncio
import threading

import numpy as np
from _models import uniform_net
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

    def flaky(x):  # out of memory for the batch, and again for each request alone
        calls.append(len(x))
        if len(calls) <= 3:
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
    assert calls == [2, 1, 1, 1]


def refusing_negatives(x):
    """A forward pass that fails for rows it cannot take, as a model fails on rows that
    overflow: here, any negative value."""
    refusing_negatives.calls.append(len(x))
    if (x < 0).any():
        raise RequestError("negative rows", status=422)
    return x * 2


def test_one_bad_request_fails_alone_in_its_batch():
    # Regression: the batch's one exception was handed to every request in it, so one
    # client's bad rows made other clients' requests fail too.
    refusing_negatives.calls = []
    batcher = MicroBatcher(refusing_negatives, window=0)

    async def together():
        rows = [np.ones((2, 1)), -np.ones((1, 1)), np.full((3, 1), 5.0)]
        return rows, await asyncio.gather(*(batcher.predict(x) for x in rows),
                                          return_exceptions=True)

    (good, bad, other), (first, refused, third) = asyncio.run(together())
    batcher.close()
    np.testing.assert_array_equal(first, good * 2)
    np.testing.assert_array_equal(third, other * 2)
    assert isinstance(refused, RequestError) and refused.status == 422
    assert refusing_negatives.calls == [6, 2, 1, 3]  # the batch, then each request alone


def test_a_request_that_overflows_does_not_fail_its_batch_neighbour(tmp_path):
    model = uniform_net(tmp_path, np.float32, 1.0)  # 1e38 overflows its float32, 1.0 does not
    # A long window, so that both requests share a batch however slow the machine.
    running = start(model, batch_window=0.5)
    bodies = {"good": {"instances": [[1.0] * 4]}, "bad": {"instances": [[1e38] * 4]}}
    answers = {}
    barrier = threading.Barrier(len(bodies))

    def client(name):
        barrier.wait()
        answers[name] = request(running.url + "/predict", bodies[name])

    threads = [threading.Thread(target=client, args=(name,)) for name in bodies]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        running.stop()
    status, answer = answers["good"]
    assert status == 200, answer
    expected = model.forward(np.ones((1, 4)))
    np.testing.assert_allclose([p["probabilities"] for p in answer["predictions"]], expected)
    status, answer = answers["bad"]
    assert status == 422 and "overflow" in answer["error"], answer


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

