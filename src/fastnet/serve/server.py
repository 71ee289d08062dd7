"""`fastnet serve MODEL`: the app on uvicorn, an ASGI server built for production use.

With --workers N, uvicorn starts N processes, each loading the model and
batching its own requests; they share the listening socket. A worker is
started by import name, so the settings reach it through the environment
(FASTNET_SERVE_SETTINGS, JSON) and `app_from_environment` builds its app.
"""

import json
import os

import uvicorn

from .app import create_app
from .served_model import ServedModel

__all__ = ["app_from_environment", "run"]

SETTINGS_VARIABLE = "FASTNET_SERVE_SETTINGS"


def app_from_environment():
    settings = json.loads(os.environ[SETTINGS_VARIABLE])
    return create_app(ServedModel.load(settings.pop("model")), **settings)


def run(model_path, host="127.0.0.1", port=8000, workers=1, log_level="info", **settings):
    """Serve the model file until interrupted. `settings`: create_app's limits.

    The model is loaded here first, so a bad file stops the command with its
    error before any server starts.
    """
    model = ServedModel.load(model_path)
    if workers == 1:
        uvicorn.run(create_app(model, **settings), host=host, port=port, log_level=log_level)
        return
    os.environ[SETTINGS_VARIABLE] = json.dumps({"model": os.path.abspath(model_path),
                                                **settings})
    uvicorn.run("fastnet.serve.server:app_from_environment", factory=True, host=host,
                port=port, workers=workers, log_level=log_level)
