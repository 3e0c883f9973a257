"""Every query the busy pages run uses an index on the comment table: no full scan of it."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.seeding import seed_discussion
from community.services.comments import Guest
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


def forget_planner_statistics(app) -> None:
    """Statistics an earlier test's ANALYZE left in the shared database describe other rows
    (the planner rightly scans a table of a dozen rows it has counted): start from none."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        db.engine.dispose()  # a connection reads the statistics when it opens


def full_scans_of_comments(plans: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(statement, line) for statement, line in plans
            if line.startswith("SCAN") and "comments" in line and "INDEX" not in line]


def test_pages_never_scan_the_comment_table(app, client, discussion, auth):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL's planner picks sequential scans for tables this small; bench-scale measures it at size")
    forget_planner_statistics(app)
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
    assert full_scans_of_comments(plans) == []
    assert any("USING INDEX ix_comments_post_status_root" in line or "USING COVERING INDEX ix_comments_post_status_root" in line
               for _, line in plans)


def test_a_popular_posts_pages_use_indexes_once_the_planner_has_counted_its_rows(app, client, users, auth):
    """seed-discussion ends with ANALYZE, as a live database has statistics: with one post holding
    most comments, the planner must still find each page's rows by index, for every kind of reader."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("bench-scale measures PostgreSQL's plans at size")
    with app.app_context():
        report = seed_discussion(600, "seeded password", posts=2, readers=60)
    path = report.post_paths[0]
    app.config["HOLD_FIRST_COMMENT"] = True
    auth.login("reader")
    assert post_form(client, f"{path}/comments", {"body": "held words"}).status_code == 302
    auth.logout()
    plans = []
    for who in (None, "reader", "moderator"):  # the reader and the moderator see the held comment
        if who:
            auth.login(who)
        with count_queries(app, with_parameters=True) as statements:
            assert client.get(path).status_code == 200
            assert client.get(f"{path}?cpage=2").status_code in (200, 404)
            assert client.get("/").status_code == 200
        plans += comment_table_plans(app, statements)
        if who:
            auth.logout()
    assert plans, "no query read the comments table"
    assert full_scans_of_comments(plans) == []


def test_a_guests_first_comment_rule_finds_their_approved_comments_by_index(app, client, discussion):
    """Guest emails are stored lower-cased, so the lookup compares the bare column: lower(column)
    could use no index and read every comment of the status instead."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL's planner picks sequential scans for tables this small")
    for number in range(8):
        make_comment(app, discussion, f"guest words {number}", author=None,
                     guest=Guest(f"Guest {number}", f"guest{number}@example.net"))
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")  # as a live database would have: many approved, few per email
    app.config["HOLD_FIRST_COMMENT"] = True
    with count_queries(app, with_parameters=True) as statements:
        response = post_form(client, f"/posts/{discussion}/comments",
                             {"body": "a guest's words", "name": "Wren", "email": "Wren@Example.net"})
    assert response.status_code == 302
    lookups = [line for statement, line in comment_table_plans(app, statements) if "WHERE comments.guest_email =" in statement]
    assert lookups, "the first-comment rule never looked the guest up"
    assert all("ix_comments_guest_email" in line for line in lookups), lookups
