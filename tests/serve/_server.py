"""A real server on a loopback port, and a plain HTTP client for it (tests/serve).

uvicorn runs in a thread of the test process on a socket bound here to
127.0.0.1 port 0: the system picks a free port, so parallel runs never
collide. stop() ends it.
"""

import json
import socket
import threading
import urllib.error
import urllib.request

import uvicorn

from fastnet.serve import create_app


class RunningServer:
    """uvicorn serving `app` in a thread until stop(); `url` is its address."""

    def __init__(self, app):
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.thread.start()
        for _ in range(500):  # up within seconds; a hang fails the test, not the suite
            if self.server.started:
                break
            self.thread.join(0.01)
        if not self.server.started:
            raise RuntimeError("the test server did not start")

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def request(url, body=None, content_type="application/json", method=None):
    """(status, parsed JSON or text) of one HTTP request; 4xx/5xx are answers, not errors."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    req = urllib.request.Request(url, data=body, method=method or ("POST" if body is not None
                                                                  else "GET"))
    if body is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=30) as reply:
            status, text, kind = reply.status, reply.read(), reply.headers.get_content_type()
    except urllib.error.HTTPError as err:
        status, text, kind = err.code, err.read(), err.headers.get_content_type()
    return status, json.loads(text) if kind == "application/json" else text.decode()



def start(model, **settings):
    return RunningServer(create_app(model, **settings))
