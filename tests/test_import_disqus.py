"""import-disqus: a hand-written Disqus export (tests/data/disqus/) whose threads are matched to
an imported WordPress post by its old address and to a local post by its address here; one thread
matches nothing; replies before their parents, a missing parent, spam, deleted, an account, a
doubled id, non-ASCII and HTML to sanitize."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentStatus
from community.services.counts import find_drift
from tests.factories import make_post, post_by_slug
from tests.test_authorization_matrix import snapshot
from tests.test_import_wordpress import EXPORT as WORDPRESS_EXPORT

EXPORT = Path(__file__).parent / "data" / "disqus" / "field-notes-disqus.xml"


@pytest.fixture
def imported(app, users, runner):
    assert runner.invoke(args=["import-wordpress", str(WORDPRESS_EXPORT)]).exit_code == 0
    make_post(app, title="On Drifting")
    result = runner.invoke(args=["import-disqus", str(EXPORT)])
    assert result.exit_code == 0, result.output
    return result.output


def disqus_comment(source_id: str) -> Comment | None:
    return db.session.scalar(sa.select(Comment).where(Comment.source == "disqus:fieldnotes", Comment.source_id == source_id))


def test_report(imported):
    assert "Comments: 6 added (4 approved, 1 spam, 1 trash), 0 already there; " \
           "skipped: 1 on threads with no matching post." in imported
    assert "Threads with no matching post: 1" in imported
    assert "1 duplicate comment id, later copy skipped" in imported
    assert "1 reply whose parent is missing, made top-level" in imported


def test_threads_find_their_posts_and_comments_their_parents(app, imported):
    with app.app_context():
        first, reply = disqus_comment("90001"), disqus_comment("90002")
        moor = db.session.scalar(sa.select(Comment.post_id).where(Comment.source_id == "501"))
        assert first.post_id == reply.post_id == moor
        assert reply.parent_id == first.id and reply.depth == 2
        assert first.guest_name == "Jonas" and first.guest_email == "jonas@walkers.example"
        assert "<script" not in first.body_html and "javascript:" not in first.body_html
        assert "<p>Disqus remembers this walk.</p>" in first.body_html
        local = post_by_slug("on-drifting")
        signed = disqus_comment("90003")
        assert signed.post_id == local.id and signed.author.username == "reader" and signed.guest_email is None
        assert "Grüße aus Köln" in signed.body_html
        assert disqus_comment("90004").status == CommentStatus.SPAM
        assert disqus_comment("90005").status == CommentStatus.TRASH
        assert disqus_comment("90006").depth == 1
        assert disqus_comment("90007") is None
        assert find_drift() == []


def test_importing_again_changes_nothing(app, runner, imported):
    before = snapshot(app)
    result = runner.invoke(args=["import-disqus", str(EXPORT)])
    assert "Comments: 0 added (none), 6 already there" in result.output
    assert snapshot(app) == before


def test_a_hostile_disqus_file_is_refused(app, users, runner, tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "aaaa">]><disqus>&a;</disqus>')
    result = runner.invoke(args=["import-disqus", str(path)])
    assert result.exit_code == 1 and "refused as unsafe" in result.output
