"""export-wordpress: the site as a WXR file that WordPress's importer takes, read back by our own
import-wordpress with posts, threads, statuses and identities intact."""

from __future__ import annotations

from collections import Counter
from xml.etree import ElementTree

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, Post
from community.text import plain_text
from tests.conftest import empty_all_tables
from tests.test_export_roundtrip import build_site

WP = "{http://wordpress.org/export/1.2/}"


def site_summary(app) -> dict[str, object]:
    """What must survive the trip, by content rather than ids."""
    with app.app_context():
        posts = db.session.scalars(sa.select(Post).order_by(Post.title)).all()
        comments = db.session.scalars(sa.select(Comment)).all()
        by_id = {comment.id: comment for comment in comments}

        def who(comment: Comment | None) -> tuple[str | None, str | None, str | None]:
            if comment is None:
                return (None, None, None)
            if comment.author is not None:
                return (comment.author.username, comment.author.email, None)
            return (comment.guest_name, comment.guest_email, comment.guest_website)

        return {
            "posts": [(p.title, p.slug, p.status, p.comments_closed, p.author.username, plain_text(p.body_html).split())
                      for p in posts],
            "comments": Counter(
                (c.post.title, who(c), c.status if not c.is_deleted else "trash", c.depth, c.ip_address,
                 c.created_at.replace(microsecond=0), " ".join(plain_text(c.body_html).split()),
                 who(by_id.get(c.parent_id)))
                for c in comments
            ),
        }


def test_export_wordpress_is_read_back_with_nothing_lost(app, users, runner, tmp_path):
    build_site(app, runner)
    before = site_summary(app)
    path = tmp_path / "site.xml"
    result = runner.invoke(args=["export-wordpress", str(path)])
    assert result.exit_code == 0, result.output
    document = ElementTree.parse(path)  # well-formed, as WordPress's importer needs
    items = document.getroot().findall("channel/item")
    assert len(items) == len(before["posts"])
    assert {item.findtext(f"{WP}post_type") for item in items} == {"post"}
    with app.app_context():
        empty_all_tables()
    result = runner.invoke(args=["import-wordpress", str(path)])
    assert result.exit_code == 0, result.output
    after = site_summary(app)
    assert after["posts"] == before["posts"]
    assert after["comments"] == before["comments"]
