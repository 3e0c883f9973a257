"""import-wordpress: a hand-written export of an invented blog (tests/data/wordpress/) covering
every status, threads deeper than THREAD_DEPTH, pingbacks, a missing parent, non-ASCII, a CDATA
section split around "]]>", HTML that must be sanitized, dates without GMT and doubled ids."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentStatus, OldLink, Post, PostStatus, User
from community.services.accounts import authenticate
from community.services.counts import find_drift
from community.text import ESSAY_TAGS, plain_text, render_essay, sanitize_html
from community.transfer.wpautop import wpautop
from tests.test_authorization_matrix import snapshot

DATA = Path(__file__).parent / "data" / "wordpress"
EXPORT = DATA / "field-notes.xml"


def run_import(runner, path: Path, *options: str):
    result = runner.invoke(args=["import-wordpress", str(path), *options])
    return result


@pytest.fixture
def imported(app, users, runner):
    result = run_import(runner, EXPORT)
    assert result.exit_code == 0, result.output
    return result.output


def comment(source_id: str) -> Comment:
    return db.session.scalar(sa.select(Comment).where(Comment.source_id == source_id))


def post(source_id: str) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.source_id == source_id))


def test_report_counts_what_happened(imported):
    assert "Posts: 6 added, 0 already there; skipped: 1 attachments, 1 pages, 1 status trash." in imported
    assert "Comments: 12 added (9 approved, 1 pending, 1 spam, 1 trash), 0 already there; " \
           "skipped: 1 pingbacks, 1 trackbacks." in imported
    assert "1 reply whose parent is missing, made top-level" in imported
    assert "2 reply deeper than 5 levels, kept at level 5" in imported
    assert "1 duplicate comment id, later copy skipped" in imported
    assert "1 duplicate post id, comments merged" in imported
    assert "Authors: 1 new accounts" in imported and "1 matched to existing accounts" in imported


def test_posts_statuses_dates_and_slugs(app, imported):
    with app.app_context():
        moor = post("101")
        assert (moor.title, moor.slug, moor.status) == ("Crossing the Moor", "crossing-the-moor", PostStatus.PUBLISHED)
        assert moor.published_at == datetime(2019, 3, 4, 9, 30, tzinfo=timezone.utc)
        assert moor.author.username == "marta-k"
        assert post("102").author.username == "author"  # matched by login
        assert post("102").comments_closed
        assert {post(wp_id).status for wp_id in ("103", "104", "105", "106")} == {PostStatus.DRAFT}
        assert post("103").created_at == datetime(2019, 5, 1, 8, 0, tzinfo=timezone.utc)  # no GMT date: local as UTC
        assert post("107") is None and post("108") is None


def test_new_author_cannot_log_in_until_a_reset(app, imported):
    with app.app_context():
        marta = db.session.scalar(sa.select(User).where(User.username_key == "marta-k"))
        assert marta.email == "marta@fieldnotes.example"
        assert authenticate("marta-k", "") is None
        assert authenticate("marta@fieldnotes.example", "anything at all") is None


def test_body_is_sanitized_with_paragraphs_and_a_markdown_source(app, imported):
    with app.app_context():
        moor = post("101")
        html = moor.body_html
        assert "wp:paragraph" not in html and "wp:" not in moor.body_markdown
        assert "<script" not in html and "javascript:" not in html and "<iframe" not in html
        assert 'href="https://maps.example/moor"' in html
        assert "<p>The fog came down before noon.<br>\nWe walked by the sound of the stream.</p>" in html
        assert "Code ends with ]]&gt; here." in html  # the CDATA section split around "]]>"
        assert render_essay(moor.body_markdown) == html
        original = ElementTree.parse(EXPORT).find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded").text
        source = sanitize_html(wpautop(original), ESSAY_TAGS, anchors=True)
        assert plain_text(html).split() == plain_text(source).split()  # rendering the Markdown keeps the words


def test_comments_threads_statuses_and_identities(app, imported):
    with app.app_context():
        first, marta_reply, soren = comment("501"), comment("502"), comment("503")
        assert first.id == 501  # the original id was free, so "#comment-501" still finds it
        assert (first.depth, first.guest_name, first.guest_email, first.guest_website, first.ip_address) == (
            1, "Jonas", "jonas@walkers.example", "https://walkers.example", "203.0.113.7")
        assert "<p>I crossed it last spring.<br>\nThe stream saved us too.</p>" in first.body_html
        assert marta_reply.parent_id == first.id and marta_reply.author.username == "marta-k"
        assert marta_reply.guest_email is None
        assert soren.guest_name == "Søren Ødegård" and "山は静か" in soren.body_html
        assert soren.guest_website is None  # javascript: is no website
        assert "<script" not in soren.body_html and "javascript:" not in soren.body_html
        assert soren.created_at == datetime(2019, 3, 4, 14, 0, tzinfo=timezone.utc)
        assert [comment(wp_id).depth for wp_id in ("504", "505", "506", "507")] == [4, 5, 5, 5]
        assert comment("506").parent_id == comment("507").parent_id == comment("504").id
        assert comment("513").depth == 1 and comment("513").parent_id is None
        assert {wp_id: comment(wp_id).status for wp_id in ("508", "509", "510")} == {
            "508": CommentStatus.SPAM, "509": CommentStatus.PENDING, "510": CommentStatus.TRASH}
        assert comment("511") is None and comment("512") is None
        assert "doubled" not in first.body_html
        assert find_drift() == []
        assert post("101").comment_count == 8 and post("102").comment_count == 1


def test_importing_again_changes_nothing(app, runner, imported):
    before = snapshot(app)
    result = run_import(runner, EXPORT)
    assert result.exit_code == 0
    assert "Posts: 0 added, 6 already there" in result.output
    assert "Comments: 0 added (none), 12 already there" in result.output
    assert snapshot(app) == before


def test_a_newer_export_adds_only_what_is_new(app, runner, imported, tmp_path):
    newer = EXPORT.read_text().replace("<wp:comment_id>601</wp:comment_id>", "<wp:comment_id>602</wp:comment_id>", 1)
    newer_file = tmp_path / "newer.xml"
    newer_file.write_text(newer)
    result = run_import(runner, newer_file)
    assert "Posts: 0 added, 6 already there" in result.output
    assert "Comments: 1 added (1 approved), 11 already there" in result.output
    with app.app_context():
        assert post("102").comment_count == 2 and find_drift() == []


def test_dry_run_saves_nothing(app, users, runner):
    before = snapshot(app)
    result = run_import(runner, EXPORT, "--dry-run")
    assert result.exit_code == 0
    assert "Dry run, nothing was saved. Posts: 6 added" in result.output
    assert snapshot(app) == before


@pytest.mark.parametrize("old, new", [
    ("/2019/03/04/crossing-the-moor/", "/posts/crossing-the-moor"),
    ("/2019/03/04/crossing-the-moor", "/posts/crossing-the-moor"),
    ("/crossing-the-moor/", "/posts/crossing-the-moor"),
    ("/?p=101", "/posts/crossing-the-moor"),
    ("/archives/101", "/posts/crossing-the-moor"),
    ("/2019/04/01/ærø-in-the-rain/", None),
])
def test_old_links_answer_301(app, client, imported, old, new):
    response = client.get(old)
    assert response.status_code == 301
    with app.app_context():
        expected = new or f"/posts/{post('102').slug}"
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("old", ["/?p=103", "/only-for-me/", "/no-such-post/", "/2019/03/04/nothing/", "/?p=999"])
def test_old_links_of_drafts_and_unknown_paths_are_missing(client, imported, old):
    assert client.get(old).status_code == (200 if old == "/?p=999" else 404)


def test_old_links_are_kept_per_post(app, imported):
    with app.app_context():
        paths = set(db.session.scalars(sa.select(OldLink.path).where(OldLink.post_id == post("101").id)))
    assert {"/2019/03/04/crossing-the-moor/", "/crossing-the-moor/", "/?p=101", "/archives/101/"} <= paths
