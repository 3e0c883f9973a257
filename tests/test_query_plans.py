"""Every query the busy pages run uses an index on the comment table: no full scan of it."""

from __future__ import annotations

import pytest

from community.extensions import db
from tests.conftest import post_form
from tests.factories import like_comment, make_comment, make_post, make_thread
from tests.query_counter import count_queries


@pytest.fixture
def discussion(app, users) -> str:
    slug = make_post(app, title="Indexed")
    for _ in range(4):
        chain = make_thread(app, slug, 3, author="Ana")
        like_comment(app, chain[0], "reader")
    return slug


def comment_table_plans(app, statements) -> list[tuple[str, str]]:
    """(statement, plan line) for each step of a plan that reads the comments table."""
    found = []
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            if "comments" not in statement:
                continue
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters):
                found.append((statement, row[-1]))
    return found


def test_pages_never_scan_the_comment_table(app, client, discussion, auth):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL's planner picks sequential scans for tables this small; bench-scale measures it at size")
    app.config["PAGE_CACHE"] = False  # every query of the drawing, not just the cache's
    auth.login("reader")
    client.get("/")
    with count_queries(app, with_parameters=True) as statements:
        client.get(f"/posts/{discussion}")
        client.get(f"/posts/{discussion}?cpage=1")
        client.get("/")
        post_form(client, f"/posts/{discussion}/comments", {"body": "indexed words"})
        app.config["PAGE_CACHE"] = True
        client.get(f"/posts/{discussion}")
        client.get(f"/posts/{discussion}")
    plans = comment_table_plans(app, statements)
    assert plans, "no query read the comments table"
    full_scans = [(statement, line) for statement, line in plans
                  if line.startswith("SCAN") and "comments" in line and "INDEX" not in line]
    assert full_scans == []
    assert any("USING INDEX ix_comments_post_status_root" in line or "USING COVERING INDEX ix_comments_post_status_root" in line
               for _, line in plans)
