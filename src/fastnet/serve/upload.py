"""The image of POST /predict/image: the raw body, or the one file of a multipart form.

`curl --data-binary @digit.png` sends the image as the body; a browser's
`<form enctype="multipart/form-data">` and `curl -F image=@digit.png` send
it as one file field of a multipart/form-data form. Both are read under the
same body-size limit before anything is parsed. The form is parsed by
Starlette's own multipart parser (python-multipart underneath, the parser
FastAPI's forms go through too), told to accept one file and no other
field; any other form is a 400 saying why.
"""

from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from .errors import RequestError

__all__ = ["uploaded_image"]

EXAMPLE = "send one file field, e.g. curl -F image=@digit.png"


def _is_form(headers):
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "multipart/form-data"


async def _once(body):
    yield body


def _check_complete(headers, body):
    """A form cut short is refused before parsing: python-multipart ends it without a
    word, and leaves the file part it was writing unclosed."""
    boundary = parse_options_header(headers.get("content-type", ""))[1].get(b"boundary")
    if boundary and b"--" + boundary + b"--" not in body:
        raise RequestError("the multipart form is cut short: its closing boundary is "
                           f"missing; {EXAMPLE}")


async def _form_file(headers, body):
    _check_complete(headers, body)
    parser = MultiPartParser(headers, _once(body), max_files=1, max_fields=0)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        # python-multipart's own words (say, a bad boundary) are the exception's cause.
        problem = str(exc.__cause__ or exc.message)
        raise RequestError(f"the multipart form cannot be read ({problem}); {EXAMPLE}") from None
    try:
        files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not files:
            raise RequestError(f"the multipart form holds no file; {EXAMPLE}")
        return await files[0].read()
    finally:
        await form.close()


async def uploaded_image(headers, body):
    """The image's bytes, from a body already read (under the size limit) and its headers."""
    if _is_form(headers):
        return await _form_file(headers, body)
    return body
