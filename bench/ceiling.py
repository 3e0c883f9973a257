"""The ceiling: a WSGI app that answers every request with the same bytes from memory.

Served by the same gunicorn with the same workers as the real app, it shows what the machine, the
server and the load generator can do at best; the benchmark reports the app as a ratio of it."""

import os
from pathlib import Path

BODY = Path(os.environ["CEILING_BODY"]).read_bytes()
STATUS = os.environ.get("CEILING_STATUS", "200 OK")
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)  # read the request body, as the app does
    start_response(STATUS, HEADERS)
    return [BODY]
