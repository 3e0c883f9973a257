"""Compressed answers. flask-compress compresses HTML, CSS, JavaScript, SVG, JSON and feeds with
brotli or gzip, whichever the client prefers, so `make serve` alone sends few bytes; a cached
post page for a signed-out reader is already gzip (discussion.cache keeps it compressed, see
gzip_splice) and goes out as it is, which flask-compress leaves alone (it has a Content-Encoding)."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

from community.extensions import compress

SETTINGS = {
    # Brotli where the browser takes it (every current one, over HTTPS), else gzip; no zstd, no deflate.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],  # static files are sent as streams
    "COMPRESS_BR_LEVEL": 4,  # about gzip's speed at its default level, with smaller output
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,  # below a packet, compressing saves nothing
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml", "application/atom+xml", "application/rss+xml",
        "application/xml", "text/xml",
    ],
}


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def gzip_answer(body: bytes, mimetype: str = "text/html") -> Response:
    """An answer whose body is already a gzip member."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def register(app: Flask) -> None:
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
