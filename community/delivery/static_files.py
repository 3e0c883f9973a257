"""Static files under content-hashed URLs, kept by browsers and proxies for a year.

`url_for('static', filename=...)` adds `?v=` and the first 12 hex digits of the file's SHA-256,
so a changed file gets a new URL and templates never name a version (or a static path) by hand.
A static answer whose `v` is the file's current hash goes out `public, max-age=31536000,
immutable`; one without `v`, or with an old one (a page from before a deploy), keeps Flask's
`no-cache`, so an old address never pins new bytes for a year. deploy/nginx.conf does the same
for the files it serves from disk."""

from __future__ import annotations

import hashlib
import os
import stat
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, request
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

VERSION_ARG = "v"
IMMUTABLE = "public, max-age=31536000, immutable"


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:  # noqa: ARG001 (mtime and size key the cache)
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:12]


def file_version(filename: str) -> str | None:
    """The hash of static/`filename` as it is now on disk (one stat; hashed again only when it
    changed), or None when there is no such file."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return _digest(path, status.st_mtime_ns, status.st_size)


def add_file_version(endpoint: str, values: dict[str, Any]) -> None:
    """url_for's hook: every static URL carries its file's hash."""
    if endpoint == "static" and "filename" in values and VERSION_ARG not in values:
        version = file_version(values["filename"])
        if version is not None:
            values[VERSION_ARG] = version


def cache_for_a_year(response: Response) -> Response:
    """A static file asked for under its current hash never changes: browsers need not ask again."""
    if request.endpoint == "static" and response.status_code in (200, 304):
        version = request.args.get(VERSION_ARG)
        if version and version == file_version((request.view_args or {}).get("filename", "")):
            response.headers["Cache-Control"] = IMMUTABLE
            response.expires = None
    return response


def register(app: Flask) -> None:
    app.url_defaults(add_file_version)
    app.after_request(cache_for_a_year)
