"""Avatars drawn here, from a keyed hash of a name or email: no request leaves the site, and the
address of an avatar does not reveal the email behind it."""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import Blueprint, Response, abort, current_app, url_for

bp = Blueprint("avatars", __name__, url_prefix="/avatars")

KEY_PATTERN = re.compile(r"[0-9a-f]{20}")
GRID = 5
CELL = 8


def avatar_key(seed: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, seed.lower().encode(), hashlib.sha256).hexdigest()[:20]


def avatar_url(seed: str) -> str:
    return url_for("avatars.avatar", key=avatar_key(seed))


def identicon_svg(key: str) -> str:
    """A symmetric 5×5 pattern in a colour, both taken from the key's bits."""
    bits = int(key, 16)
    hue = bits % 360
    colour = f"hsl({hue} 55% 45%)"
    cells = []
    for row in range(GRID):
        for column in range((GRID + 1) // 2):
            if bits >> (8 + row * 3 + column) & 1:
                for x in {column, GRID - 1 - column}:
                    cells.append(f'<rect x="{x * CELL}" y="{row * CELL}" width="{CELL}" height="{CELL}"/>')
    size = GRID * CELL
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {size + 8} {size + 8}" role="img" aria-hidden="true">'
        f'<rect x="-4" y="-4" width="{size + 8}" height="{size + 8}" fill="hsl({hue} 40% 92%)"/>'
        f'<g fill="{colour}">{"".join(cells)}</g></svg>'
    )


@bp.route("/<key>.svg")
def avatar(key: str) -> Response:
    if not KEY_PATTERN.fullmatch(key):
        abort(404)
    response = Response(identicon_svg(key), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
