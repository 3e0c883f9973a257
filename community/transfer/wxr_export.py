"""`export-wordpress`: the site as a WordPress export (WXR 1.2), so leaving is as easy as arriving:
WordPress's importer (Tools → Import → WordPress) takes the posts, their authors and every comment
with its thread, status and the guest's name, email, website and IP; community's own
import-wordpress reads it back. Written a post at a time, never the whole site in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO
from xml.sax.saxutils import escape

import sqlalchemy as sa
from flask import current_app, url_for

from community.extensions import db
from community.models import Comment, CommentStatus, Post, PostStatus, User

STATUS_TO_WP = {CommentStatus.APPROVED: "1", CommentStatus.PENDING: "0", CommentStatus.SPAM: "spam",
                CommentStatus.TRASH: "trash"}
NAMESPACES = ('xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
              'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
              'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:wp="http://wordpress.org/export/1.2/"')


def _tag(name: str, value: object) -> str:
    return f"<{name}>{escape('' if value is None else str(value))}</{name}>"


def _dates(prefix: str, moment: datetime | None) -> str:
    if moment is None:
        return _tag(f"wp:{prefix}_date", "0000-00-00 00:00:00") + _tag(f"wp:{prefix}_date_gmt", "0000-00-00 00:00:00")
    text = moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return _tag(f"wp:{prefix}_date", text) + _tag(f"wp:{prefix}_date_gmt", text)  # the site's time is UTC


def _comment(comment: Comment) -> str:
    author = comment.author
    status = CommentStatus.TRASH if comment.is_deleted else comment.status  # WordPress has no tombstones
    parts = [
        _tag("wp:comment_id", comment.id),
        _tag("wp:comment_author", author.username if author else comment.guest_name),
        _tag("wp:comment_author_email", author.email if author else comment.guest_email),
        _tag("wp:comment_author_url", "" if author else comment.guest_website),
        _tag("wp:comment_author_IP", comment.ip_address),
        _dates("comment", comment.created_at),
        _tag("wp:comment_content", comment.body_html),
        _tag("wp:comment_approved", STATUS_TO_WP.get(status, "0")),
        _tag("wp:comment_type", "comment"),
        _tag("wp:comment_parent", comment.parent_id or 0),
        _tag("wp:comment_user_id", comment.author_id or 0),
    ]
    return "\t\t<wp:comment>" + "".join(parts) + "</wp:comment>\n"


def _item(post: Post, comments: list[Comment]) -> str:
    link = url_for("posts.detail", slug=post.slug, _external=True)
    parts = [
        _tag("title", post.title), _tag("link", link), _tag("dc:creator", post.author.username),
        f'<guid isPermaLink="false">{escape(link)}</guid>', _tag("description", ""),
        _tag("content:encoded", post.body_html), _tag("excerpt:encoded", ""),
        _tag("wp:post_id", post.id), _dates("post", post.published_at or post.created_at),
        _tag("wp:comment_status", "closed" if post.comments_closed else "open"), _tag("wp:ping_status", "closed"),
        _tag("wp:post_name", post.slug),
        _tag("wp:status", "publish" if post.status == PostStatus.PUBLISHED else "draft"),
        _tag("wp:post_parent", 0), _tag("wp:menu_order", 0), _tag("wp:post_type", "post"),
        _tag("wp:post_password", ""), _tag("wp:is_sticky", 0),
    ]
    return "\t<item>\n\t\t" + "".join(parts) + "\n" + "".join(_comment(c) for c in comments) + "\t</item>\n"


def site_address() -> str:
    return (current_app.config.get("SITE_URL") or current_app.config.get("LOCAL_URL") or "http://localhost").rstrip("/")


def wxr_lines() -> Iterator[str]:
    site = site_address()
    yield '<?xml version="1.0" encoding="UTF-8" ?>\n'
    yield f"<rss version=\"2.0\" {NAMESPACES}>\n<channel>\n"
    yield "\t" + _tag("title", current_app.config["SITE_NAME"]) + _tag("link", site) + _tag("description", "")
    yield _tag("language", "en") + _tag("wp:wxr_version", "1.2") + _tag("wp:base_site_url", site)
    yield _tag("wp:base_blog_url", site) + "\n"
    writers = sa.select(Post.author_id).union(sa.select(Comment.author_id).where(Comment.author_id.is_not(None)))
    for user in db.session.scalars(sa.select(User).where(User.id.in_(writers)).order_by(User.id)):
        yield ("\t<wp:author>" + _tag("wp:author_id", user.id) + _tag("wp:author_login", user.username)
               + _tag("wp:author_email", user.email) + _tag("wp:author_display_name", user.username)
               + "</wp:author>\n")
    post_ids = db.session.scalars(sa.select(Post.id).order_by(Post.id)).all()
    for post_id in post_ids:
        post = db.session.get(Post, post_id)
        comments = db.session.scalars(sa.select(Comment).where(Comment.post_id == post_id).order_by(Comment.id)).all()
        yield _item(post, list(comments))
        db.session.expunge_all()  # one post at a time in memory
    yield "</channel>\n</rss>\n"


def write_wxr(out: IO[str]) -> None:
    """The file; links to posts are made on the site's own address (SITE_URL)."""
    with current_app.test_request_context("/", base_url=site_address()):
        for line in wxr_lines():
            out.write(line)
