"""fastnet.serve: a saved model behind an HTTP API, and a page to draw digits on.

    fastnet train --save digits.fnet
    fastnet serve digits.fnet            # then open http://127.0.0.1:8000/

An optional extra, `pip install "fastnet[serve]"` (Starlette, uvicorn,
Pillow, python-multipart); fastnet itself imports without it. What is where:

- served_model.py: a fastnet network or a fastnet.keras model, loaded from
  its file (never unpickled), behind one forward(x);
- instances.py, upload.py, image.py: a request body to a float batch (JSON
  rows; a PNG/JPEG, raw or in a form, prepared like MNIST's digits), every
  mistake a 4xx;
- batching.py: requests that arrive together share one forward pass;
- app.py: the routes (Starlette); openapi.py: their description;
- server.py: uvicorn, the limits, the workers (`fastnet serve`);
- page/index.html: the drawing page, plain HTML and JavaScript.
"""

from ._requirements import require

require()

from .app import create_app  # noqa: E402
from .served_model import ServedModel  # noqa: E402
from .server import run  # noqa: E402

__all__ = ["ServedModel", "create_app", "run"]
