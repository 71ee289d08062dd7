"""multipart/form-data bodies, as browsers' forms and `curl -F` send them, built by hand
so that the tests can also build the broken ones."""

BOUNDARY = "----fastnet-test-boundary-7MA4YWxk"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(name, data, filename=None, content_type="image/png"):
    """One part: a file field when `filename` is given, else a text field."""
    disposition = f'form-data; name="{name}"'
    head = f"Content-Disposition: {disposition}"
    if filename is not None:
        head += f'; filename="{filename}"\r\nContent-Type: {content_type}'
    return head.encode() + b"\r\n\r\n" + data


def form(*parts, boundary=BOUNDARY, close=True):
    """The body of a form of `parts`; close=False leaves out the closing delimiter."""
    delimiter = b"--" + boundary.encode()
    body = b"".join(delimiter + b"\r\n" + p + b"\r\n" for p in parts)
    return body + (delimiter + b"--\r\n" if close else b"")
