"""POST /predict/image takes the image as the raw body or as the one file of a form.

The malformed forms are in test_serve_bad_requests.BAD (each a 4xx naming its
problem, and part of the thousand-request test there).
"""

import shutil
import subprocess

import pytest
from _drawing import png, vertical_stroke
from _forms import CONTENT_TYPE, form, part
from _server import request


def test_a_form_upload_gets_the_raw_uploads_answer(server):
    image = png(vertical_stroke())
    raw = request(server.url + "/predict/image", image, "image/png")
    for name in ("image", "file"):  # any field name: the form holds one file
        upload = request(server.url + "/predict/image", form(part(name, image, "d.png")),
                         CONTENT_TYPE)
        assert upload == raw and raw[0] == 200 and raw[1]["predictions"][0]["class"] == "1"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_dash_f(server, tmp_path):
    """The README's command, by curl itself: its own boundary and part headers."""
    path = tmp_path / "digit.png"
    path.write_bytes(png(vertical_stroke()))
    reply = subprocess.run(["curl", "-s", "-w", "\n%{http_code}", "-F", f"image=@{path}",
                            server.url + "/predict/image"],
                           capture_output=True, text=True, timeout=60, check=True)
    body, status = reply.stdout.rsplit("\n", 1)
    assert status == "200" and '"class":"1"' in body, reply.stdout
