"""The HTTP API, on Starlette (ASGI), served by uvicorn (server.py).

    POST /predict        {"instances": [[...], ...]} -> predictions
    POST /predict/image  one PNG or JPEG (the raw body, or the one file of a
                         multipart/form-data form) -> the digit's prediction
    GET  /               the drawing page (page/index.html)
    GET  /health         {"status": "ok"}
    GET  /model          the model's metadata
    GET  /openapi.json   the API described as OpenAPI 3

Every request error is JSON {"error": "..."} with a 4xx status; a body is
read in chunks and refused as soon as it passes the size limit, whatever
its Content-Length claims.
"""

import contextlib
from importlib import resources

import numpy as np
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from . import openapi
from .batching import MicroBatcher
from .errors import RequestError
from .image import MAX_PIXELS, mnist_digit
from .instances import parse_instances
from .upload import uploaded_image

__all__ = ["create_app"]

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1024
TOP = 3  # classes listed per prediction


def _error(status, message):
    return JSONResponse({"error": message}, status_code=status)


async def _body(request, limit):
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise RequestError(f"the body is over this server's limit of {limit} bytes "
                           "(--max-body-bytes)", status=413)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(f"the body is over this server's limit of {limit} bytes "
                                   "(--max-body-bytes)", status=413)
            chunks.append(chunk)
    except ClientDisconnect:
        # The client hung up before sending its whole body: nobody will read an
        # answer, and it is no server error (uncaught, it logs a traceback).
        raise RequestError("the client closed the connection before the end of its body",
                           status=400) from None
    return b"".join(chunks)


def _answers(model, outputs):
    if model.classes is None:
        return [{"value": row.tolist() if row.size > 1 else float(row[0])} for row in outputs]
    answers = []
    for row in outputs:
        order = np.argsort(-row, kind="stable")
        answers.append({"class": model.classes[order[0]],
                        "probabilities": [float(p) for p in row],
                        "top": [{"class": model.classes[i], "probability": float(row[i])}
                                for i in order[:TOP]]})
    return answers


def create_app(model, *, max_rows=MAX_ROWS, max_body_bytes=MAX_BODY_BYTES,
               max_pixels=MAX_PIXELS, batch_window=0.0, max_batch=256):
    """A Starlette app serving `model` (a ServedModel). `app.state.batcher` counts batches."""
    batcher = MicroBatcher(model.forward, window=batch_window, max_batch=max_batch,
                           max_queue=max(16 * max_batch, max_rows))
    page = resources.files(__package__).joinpath("page", "index.html").read_text("utf-8")

    async def predict(request):
        body = await _body(request, max_body_bytes)
        x = parse_instances(body, model.input_shape, max_rows, model.dtype)
        return JSONResponse({"predictions": _answers(model, await batcher.predict(x))})

    async def predict_image(request):
        if model.input_size != 28 * 28:
            raise RequestError(f"/predict/image needs a model of 28×28 inputs; this one "
                               f"takes {model.input_shape}", status=422)
        body = await _body(request, max_body_bytes)
        digit = mnist_digit(await uploaded_image(request.headers, body), max_pixels)
        outputs = await batcher.predict(digit.reshape(1, *model.input_shape))
        return JSONResponse({"predictions": _answers(model, outputs)})

    async def index(request):
        return HTMLResponse(page)

    async def health(request):
        return JSONResponse({"status": "ok"})

    async def metadata(request):
        return JSONResponse({**model.metadata(), "max_rows": max_rows,
                             "max_body_bytes": max_body_bytes,
                             "batches": batcher.forward_calls, "rows": batcher.rows_served})

    async def schema(request):
        return JSONResponse(openapi.describe(model))

    async def request_error(request, exc):
        return _error(exc.status, exc.message)

    async def http_error(request, exc):
        return _error(exc.status_code, exc.detail)

    routes = [Route("/predict", predict, methods=["POST"]),
              Route("/predict/image", predict_image, methods=["POST"]),
              Route("/", index), Route("/health", health), Route("/model", metadata),
              Route("/openapi.json", schema)]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        batcher.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={RequestError: request_error, HTTPException: http_error})
    app.state.batcher = batcher
    app.state.model = model
    return app
