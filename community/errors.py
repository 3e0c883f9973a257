"""Error pages in the site's look, and JSON errors for clients that ask for JSON."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from community.extensions import db

MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to see or do this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    429: "Too many requests; please wait a little and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
}


def wants_json() -> bool:
    """True for fetch() calls and API clients: they sent JSON or prefer it to HTML."""
    accept = request.accept_mimetypes
    return request.is_json or accept["application/json"] > accept["text/html"]


def error_response(status: int, message: str, title: str | None = None):
    if wants_json():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return error_response(
            400,
            "This form has expired or was sent from another site. Go back, reload the page and try again.",
            title="Form expired",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # abort(403, "sentence") carries a sentence for the person; the bare default does not.
        specific = error.description if error.description != type(error).description else None
        body, status = error_response(status, specific or MESSAGES.get(status, error.description), error.name)
        # Keep the exception's own headers (Allow on 405, Retry-After on 429), not its content type.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        return error_response(500, MESSAGES[500], title="Server error")
