"""The search page, /search?q=…&page=N: a GET form, so a search can be bookmarked and shared."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from community.routing import page_number
from community.search.query import QUERY_MAX, search
from community.services import DomainError

bp = Blueprint("search", __name__)

PER_PAGE = 20


@bp.route("/search")
def results():
    query = request.args.get("q", "")
    page = page_number(PER_PAGE)
    try:
        found = search(query.strip(), page, PER_PAGE) if query.strip() else None
    except DomainError as error:
        return render_template("search/results.html", query=query, found=None, error=error.message,
                               query_max=QUERY_MAX), 422
    return render_template("search/results.html", query=query, found=found, error=None, query_max=QUERY_MAX)
