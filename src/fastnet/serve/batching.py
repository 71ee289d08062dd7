"""Micro-batching: requests that arrive together share one forward pass.

A forward pass over 32 rows costs little more than over one (the GEMMs are
bigger, the per-call overhead is paid once), so under load the server
gathers what is waiting and runs it as one batch. One task owns the model:
it waits for a first request, takes what is waiting (up to `max_batch`
rows), runs it in a worker thread (the kernels release the GIL, so the
event loop keeps reading requests meanwhile) and hands each request its
rows of the result. Requests that arrive while a batch runs form the next
one, so batches grow with the load by themselves; `window` > 0 makes a
batch also wait that many seconds for others to join it, which trades
latency for larger batches. When a batch fails, its requests run again
one by one, so that each hears of its own error only: one client's bad
rows never fail another client's request. The queue is bounded: past
`max_queue` waiting rows a request is refused at once (503) instead of
waiting without end.
"""

import asyncio
import concurrent.futures

import numpy as np

from .errors import RequestError

__all__ = ["MicroBatcher"]


class MicroBatcher:
    """predict(x) from many coroutines; one forward(batch) call per gathered batch."""

    def __init__(self, forward, *, window=0.0, max_batch=256, max_queue=4096):
        self.forward = forward
        self.window = window
        self.max_batch = max_batch
        self.max_queue = max_queue
        self.forward_calls = 0  # how many batches ran (the tests count them)
        self.rows_served = 0
        self._waiting = []  # (rows, future)
        self._waiting_rows = 0
        self._arrived = None
        self._task = None
        self._thread = concurrent.futures.ThreadPoolExecutor(1, "fastnet-forward")

    async def predict(self, x):
        """The model's outputs for the rows of x, computed in some batch."""
        if self._waiting_rows + len(x) > self.max_queue:
            raise RequestError(f"the server is busy ({self._waiting_rows} rows waiting); "
                               "try again", status=503)
        if self._task is None:
            self._arrived = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((x, future))
        self._waiting_rows += len(x)
        self._arrived.set()
        return await future

    def _take(self):
        """The waiting requests that fit in one batch (always at least one)."""
        taken, rows = [], 0
        while self._waiting and (not taken or rows + len(self._waiting[0][0]) <= self.max_batch):
            x, future = self._waiting.pop(0)
            taken.append((x, future))
            rows += len(x)
        self._waiting_rows -= rows
        if not self._waiting:
            self._arrived.clear()
        return taken

    async def _run(self):
        while True:
            await self._arrived.wait()
            if self.window > 0 and self._waiting_rows < self.max_batch:
                await asyncio.sleep(self.window)
            taken = self._take()
            try:
                out = await self._forward(np.concatenate([x for x, _ in taken]))
            except Exception as exc:  # noqa: BLE001 - the requests must hear of it
                if len(taken) == 1:
                    _settle(taken[0][1], error=exc)
                else:
                    await self._one_by_one(taken)
                continue
            start = 0
            for x, future in taken:
                _settle(future, result=out[start:start + len(x)])
                start += len(x)

    async def _forward(self, batch):
        """forward(batch) in the worker thread, counted."""
        self.forward_calls += 1
        out = await asyncio.get_running_loop().run_in_executor(self._thread, self.forward,
                                                               batch)
        self.rows_served += len(batch)
        return out

    async def _one_by_one(self, taken):
        """After a batch failed: each of its requests alone, so that one client's bad rows
        (say, values that overflow inside the model) fail only that client's request."""
        for x, future in taken:
            if future.done():
                continue
            try:
                out = await self._forward(x)
            except Exception as exc:  # noqa: BLE001 - this request's own error
                _settle(future, error=exc)
            else:
                _settle(future, result=out)

    def close(self):
        if self._task is not None:
            self._task.cancel()
        self._thread.shutdown(wait=False)


def _settle(future, result=None, error=None):
    """Hand a request its rows or its error, unless its client went away (which
    cancelled its future)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
