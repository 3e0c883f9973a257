"""The files browsers and crawlers ask every site for at fixed addresses: /favicon.ico and /robots.txt."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, send_from_directory

bp = Blueprint("site_files", __name__)

# Crawlers may read essays, discussions and people pages; the forms, the moderators' pages, the
# search results (endless, and a crawler's queries would load the database) are no use to them.
ROBOTS_TXT = """User-agent: *
Disallow: /auth/
Disallow: /account
Disallow: /moderation/
Disallow: /search
Disallow: /posts/new
Disallow: /drafts
Disallow: /*?replytocom=
"""


@bp.route("/favicon.ico")
def favicon() -> Response:
    response = send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=7 * 24 * 3600)
    return response


@bp.route("/robots.txt")
def robots() -> Response:
    response = Response(ROBOTS_TXT, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
