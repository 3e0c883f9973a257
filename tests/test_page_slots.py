"""A shared page filled for a reader is the page drawn for them whole, byte for byte: for a guest,
each role, a reader with likes, with comments they may still edit and some they may not, among
held, hidden and deleted comments, on every page of the discussion."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import session
from flask_login import current_user, login_user

from community.discussion.reader import Reader
from community.discussion.slots import MARK
from community.extensions import db
from community.models import Comment
from community.discussion.page import render_post_page
from community.discussion.cache import cached_post_page, local_pages
from community.services.comments import delete_own_comment
from community.services.moderation import Action, moderate_comment
from tests.factories import like_comment, like_post, make_comment, make_post, post_by_slug, user_named


@pytest.fixture
def slug(app, users) -> str:
    """A discussion over three pages, with something of every kind in it."""
    app.config["COMMENTS_PER_PAGE"] = 3
    slug = make_post(app, title="Letting Go <of> “things”")
    mine = make_comment(app, slug, "my fresh thought", author="reader")
    old_mine = make_comment(app, slug, "my old thought", author="reader")
    theirs = make_comment(app, slug, "Ana's **thought**", author="Ana", parent_id=mine)
    make_comment(app, slug, "a reply of mine", author="reader", parent_id=theirs)
    make_comment(app, slug, "the author answers", author="author", parent_id=old_mine)
    held = make_comment(app, slug, "to be held", author=None, guest=_guest(9))
    gone = make_comment(app, slug, "to be deleted", author="other_author")
    make_comment(app, slug, "under the deleted one", author="Ana", parent_id=gone)
    for number in range(4):
        make_comment(app, slug, f"thread {number}", author=None if number % 2 else "other_author",
                     guest=None if number % 2 == 0 else _guest(number))
    like_post(app, slug, "reader")
    like_comment(app, theirs, "reader")
    like_comment(app, mine, "Ana")
    with app.app_context():
        # Past the edit window: Delete, but no Edit.
        db.session.get(Comment, old_mine).created_at -= timedelta(days=2)
        moderate_comment(user_named("moderator"), db.session.get(Comment, held), Action.UNAPPROVE)
        delete_own_comment(user_named("other_author"), db.session.get(Comment, gone))
        db.session.commit()
    return slug


def _guest(number: int):
    from community.services.comments import Guest

    return Guest(f"Guest <{number}>", f"guest{number}@example.org", "https://example.org/" if number == 1 else "")


def both_ways(app, slug: str, name: str | None, page: int) -> tuple[bytes, bytes | None]:
    """The page drawn whole for this reader, and the shared page filled for them (None when they
    get a page of their own), in one request, so both carry the same CSRF token."""
    # The page's own address, as a shared page is drawn for (no query string but the page).
    with app.test_request_context(f"/posts/{slug}" + (f"?cpage={page}" if page > 1 else "")):
        if name:
            login_user(user_named(name))
        reader = Reader.of(current_user, session)
        shared = cached_post_page(slug, reader, page)
        again = cached_post_page(slug, reader, page)  # from the cache this time
        whole = render_post_page(post_by_slug(slug), reader, page).encode()
        assert shared == again
        return whole, shared


@pytest.mark.parametrize("page", [1, 2, 3])
@pytest.mark.parametrize("name", [None, "reader", "Ana", "other_author"])
def test_a_filled_page_is_the_whole_page_byte_for_byte(app, slug, name, page):
    whole, filled = both_ways(app, slug, name, page)
    assert filled is not None
    assert filled == whole
    assert MARK.encode() not in filled


def test_the_reader_with_likes_and_comments_sees_them_on_the_shared_page(app, slug):
    whole, filled = both_ways(app, slug, "reader", 1)
    html = filled.decode()
    assert html.count('aria-pressed="true">Liked') == 2  # the post and Ana's comment
    assert html.count(">Edit</a>") == 2 and html.count(">Delete</a>") == 3  # the old one: Delete only
    assert "Signed in as <strong>reader</strong>" in html and "Logged in as reader." in html
    assert filled == whole


@pytest.mark.parametrize("name", ["moderator", "admin", "author"])
def test_moderators_and_the_posts_editors_get_a_page_of_their_own(app, slug, name):
    whole, filled = both_ways(app, slug, name, 1)
    assert filled is None and b"Letting Go &lt;of&gt;" in whole


def test_a_reader_with_a_held_comment_gets_a_page_of_their_own(app, slug):
    held = make_comment(app, slug, "Ana's held words", author="Ana")
    with app.app_context():
        moderate_comment(user_named("moderator"), db.session.get(Comment, held), Action.UNAPPROVE)
        db.session.commit()
    whole, filled = both_ways(app, slug, "Ana", 3)  # a held new thread: at the end of the last page
    assert filled is None and f'id="comment-{held}"'.encode() in whole


def test_a_guest_with_a_held_comment_gets_a_page_of_their_own(app, slug):
    with app.test_request_context(f"/posts/{slug}"):
        session["pending_comment_ids"] = [1]
        assert cached_post_page(slug, Reader.of(current_user, session)) is None


def test_readers_of_one_role_share_one_drawing(app, slug):
    both_ways(app, slug, "reader", 1)
    with app.app_context():
        drawn = len(local_pages().pages)
    both_ways(app, slug, "Ana", 1)
    with app.app_context():
        assert len(local_pages().pages) == drawn


def test_a_comment_like_recounts_the_shared_page_without_drawing_it_again(app, slug):
    """A like moves the post's likes_version, not its discussion_version: the shared page stays
    drawn and only its like counts are read again; the filled page is still the whole page."""
    with app.app_context():
        post = post_by_slug(slug)
        before = (post.discussion_version, post.likes_version)
        ana_comment = db.session.scalar(sa.select(Comment.id).where(Comment.body_markdown == "Ana's **thought**"))
    both_ways(app, slug, None, 1)
    with app.app_context():
        drawn = {key for key in local_pages().pages if ":likes" not in key}
    like_comment(app, ana_comment, "Ana")
    with app.app_context():
        post = post_by_slug(slug)
        assert post.discussion_version == before[0] and post.likes_version == before[1] + 1
    for name in (None, "reader"):
        whole, filled = both_ways(app, slug, name, 1)
        # The reader liked it too: their count says so (issue 15: "You and 1 other like this").
        assert filled == whole and (b"You and 1 other like this" if name else b"Liked by 2 people") in filled
    with app.app_context():
        guest_pages = {key for key in local_pages().pages if ":likes" not in key and ":guest:" in key}
    assert guest_pages == {key for key in drawn if ":guest:" in key}  # not drawn again


def _tick_by_default(app, name: str, replies: bool = True, comments: bool = False) -> None:
    from community.notifications.subscriptions import save_settings, subscriber_of

    with app.app_context():
        save_settings(subscriber_of(user_named(name)), daily_digest=False, default_replies=replies,
                      default_comments=comments)
        db.session.commit()


def _ticked(html: bytes) -> set[str]:
    import re

    return set(re.findall(rb'name="(notify_\w+)" type="checkbox" value="y" checked', html))


@pytest.mark.parametrize("page", [1, 3])
def test_an_accounts_default_boxes_are_ticked_on_its_own_filled_page_only(app, slug, page):
    """Issue 12: the settings pre-tick the comment form's boxes, through a slot: the reader's
    filled page is their whole page, and the guest and another reader of the role see none."""
    _tick_by_default(app, "reader", replies=True, comments=True)
    whole, filled = both_ways(app, slug, "reader", page)
    assert filled == whole and _ticked(filled) == {b"notify_replies", b"notify_comments"}
    for other in (None, "Ana"):
        whole, filled = both_ways(app, slug, other, page)
        assert filled == whole and _ticked(filled) == set()


def test_a_stopped_accounts_defaults_tick_nothing(app, slug):
    from community.notifications.subscriptions import ALL, subscriber_of, unsubscribe

    _tick_by_default(app, "reader", replies=False, comments=True)
    whole, filled = both_ways(app, slug, "reader", 1)
    assert _ticked(filled) == {b"notify_comments"}
    with app.app_context():
        unsubscribe(subscriber_of(user_named("reader")), ALL)
        db.session.commit()
    whole, filled = both_ways(app, slug, "reader", 1)
    assert filled == whole and _ticked(filled) == set()
