"""Shared pages: cached once, personalised per reader, never stale after a change."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import sqlalchemy as sa

from community import create_app
from community.extensions import db
from community.models import Comment
from tests.conftest import PASSWORD, post_form, test_config
from tests.factories import like_comment, make_comment, make_post, user_named
from tests.query_counter import count_queries


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Shared Pages")


def reader_client(app, name: str):
    client = app.test_client()
    post_form(client, "/auth/login", {"login": name, "password": PASSWORD})
    client.get("/")  # the welcome flash
    return client


def test_two_readers_share_one_drawing_but_see_their_own_marks(app, slug):
    mine = make_comment(app, slug, "written by reader")
    theirs = make_comment(app, slug, "written by an author", author="other_author")
    like_comment(app, theirs, "reader")
    reader, other = reader_client(app, "reader"), reader_client(app, "Ana")  # both readers
    reader_page = reader.get(f"/posts/{slug}").get_data(as_text=True)
    with count_queries(app) as queries:
        other_page = other.get(f"/posts/{slug}").get_data(as_text=True)
    assert not any("FROM comments" in q and "ORDER BY comments.root_id, comments.path" in q for q in queries)
    assert "Signed in as <strong>reader</strong>" in reader_page and "Signed in as <strong>Ana</strong>" in other_page
    # The like: pressed for the one who liked, not for the other.
    assert f'data-like="c{theirs}"><button type="submit" class="like-button" aria-pressed="true">Liked' in reader_page
    assert f'data-like="c{theirs}"><button type="submit" class="like-button" aria-pressed="false">Like' in other_page
    # Own comment: Edit and Delete for its author, Report for everyone else.
    assert f'href="/comments/{mine}/edit">Edit</a>' in reader_page and f"/comments/{mine}/report" not in reader_page
    assert f"/comments/{mine}/report" in other_page and f"/comments/{mine}/edit" not in other_page
    assert "<csrf-token-slot>" not in reader_page + other_page and "<viewer-name-slot>" not in reader_page + other_page


def test_each_reader_gets_their_own_working_csrf_token(app, slug):
    first, second = reader_client(app, "reader"), reader_client(app, "Ana")
    tokens = []
    for client in (first, second):
        page = client.get(f"/posts/{slug}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post(f"/posts/{slug}/comments", data={"csrf_token": token, "body": "with the page's token"}).status_code == 302
        tokens.append(token)
    assert tokens[0] != tokens[1]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("comment", "a brand new thought"),
        ("like", "Liked by 1 person"),
        ("trash", "One thought on"),
        ("edit-post", "A Better Title"),
        ("close", "Comments are closed."),
    ],
)
def test_a_change_shows_on_the_next_request(client, app, slug, change, expected):
    first = make_comment(app, slug, "the first thought", author="Ana")
    second = make_comment(app, slug, "a second thought", author="Ana")
    before = client.get(f"/posts/{slug}").get_data(as_text=True)  # now cached
    assert expected not in before
    with app.app_context():
        if change == "comment":
            from community.services.comments import add_comment
            from tests.factories import post_by_slug

            add_comment(post_by_slug(slug), "a brand new thought", author=user_named("reader"))
        elif change == "like":
            from community.services.likes import set_comment_like

            set_comment_like(user_named("reader"), db.session.get(Comment, first), True)
        elif change == "trash":
            from community.services.moderation import Action, moderate_comment

            moderate_comment(user_named("moderator"), db.session.get(Comment, second), Action.TRASH)
        elif change == "edit-post":
            from community.services.posts import update_post
            from tests.factories import post_by_slug

            update_post(user_named("author"), post_by_slug(slug), "A Better Title", "words", True)
        elif change == "close":
            from community.services.moderation import save_settings
            from tests.factories import post_by_slug

            post_by_slug(slug).published_at = post_by_slug(slug).published_at.replace(year=2020)
            save_settings(user_named("admin"), {"close_after_days": 30})
        db.session.commit()
    assert expected in client.get(f"/posts/{slug}").get_data(as_text=True)


def test_a_second_app_server_never_serves_a_stale_page(app, slug, migrated_database):
    """Two processes, each with its own in-process cache, behind one database."""
    other_server = create_app(test_config(migrated_database)).test_client()
    assert "Later words" not in other_server.get(f"/posts/{slug}").get_data(as_text=True)  # cached there
    writer = app.test_client()
    post_form(writer, f"/posts/{slug}/comments", {"body": "Later words", "name": "Guest", "email": "g@example.org"})
    assert "Later words" in other_server.get(f"/posts/{slug}").get_data(as_text=True)


def test_pages_of_one_person_are_never_shared(app, slug):
    held_by = reader_client(app, "reader")
    app.config["HOLD_FIRST_COMMENT"] = True
    post_form(held_by, f"/posts/{slug}/comments", {"body": "my held words"})
    held_by.get("/")  # the flash
    assert "my held words" in held_by.get(f"/posts/{slug}").get_data(as_text=True)
    stranger = reader_client(app, "Ana")
    assert "my held words" not in stranger.get(f"/posts/{slug}").get_data(as_text=True)
    moderator = reader_client(app, "moderator")
    assert "Awaiting moderation" in moderator.get(f"/posts/{slug}").get_data(as_text=True)


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_is_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(redis_url(), socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


@pytest.mark.skipif(not redis_is_up() and os.environ.get("CI") != "true", reason="Redis is not running on 127.0.0.1:6379")
def test_app_servers_share_pages_through_redis(app, slug, migrated_database):
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    servers = [
        create_app(test_config(migrated_database, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url(), CACHE_KEY_PREFIX=prefix))
        for _ in range(2)
    ]
    first, second = (server.test_client() for server in servers)
    assert "From the first server" not in second.get(f"/posts/{slug}").get_data(as_text=True)
    with servers[0].app_context():
        from community.extensions import cache

        assert any(key.decode().startswith(prefix + "post-page:") for key in cache.cache._write_client.keys(prefix + "*"))
    post_form(first, f"/posts/{slug}/comments", {"body": "From the first server", "name": "G", "email": "g@example.org"})
    assert "From the first server" in second.get(f"/posts/{slug}").get_data(as_text=True)
    with servers[0].app_context():
        from community.extensions import cache

        cache.cache._write_client.delete(*cache.cache._write_client.keys(prefix + "*"))


def test_a_process_keeps_its_pages_within_the_byte_budget(app, users):
    """PAGE_CACHE_MB bounds a worker's memory however many posts are read; pages stay right."""
    app.config["PAGE_CACHE_MB"] = 1  # pages here are about 100 kB each
    slugs = [make_post(app, title=f"Essay number {n}", body="word " * 19_000) for n in range(16)]
    client = app.test_client()
    for slug in slugs:
        assert client.get(f"/posts/{slug}").status_code == 200
    with app.app_context():
        from community.discussion.cache import local_pages

        pages = local_pages()
        assert pages.size <= 1024 * 1024 and 0 < len(pages.pages) < len(slugs)
    # The first post's page was pushed out; read again, it is drawn afresh and whole.
    page = client.get(f"/posts/{slugs[0]}").get_data(as_text=True)
    assert "Essay number 0" in page and "<csrf-token-slot>" not in page
