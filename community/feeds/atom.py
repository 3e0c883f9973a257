"""Building the Atom documents with feedgen, from public content only: published posts and their
approved, undeleted comments. Each feed is dated by its newest entry, so the same content gives the
same bytes and a conditional GET can answer 304."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from feedgen.feed import FeedGenerator
from flask import current_app, url_for

from community.extensions import db
from community.models import Comment, Post, PostStatus

POSTS_IN_FEED = 20
COMMENTS_IN_FEED = 50
EPOCH = datetime(2000, 1, 1).astimezone()  # the date of a feed with no entries yet


def latest_posts(limit: int = POSTS_IN_FEED) -> Sequence[Post]:
    return db.session.scalars(
        sa.select(Post).where(Post.status == PostStatus.PUBLISHED)
        .order_by(Post.published_at.desc(), Post.id.desc()).limit(limit)
    ).all()


def public_comments(post: Post | None = None, limit: int = COMMENTS_IN_FEED) -> Sequence[tuple[Comment, Post]]:
    """The newest approved, undeleted comments under published posts (of `post` alone if given)."""
    query = (
        sa.select(Comment, Post).join(Post, Post.id == Comment.post_id)
        .where(Post.status == PostStatus.PUBLISHED, Comment.is_public)
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    )
    if post is not None:
        query = query.where(Comment.post_id == post.id)
    return db.session.execute(query).all()


def _feed(title: str, self_url: str, page_url: str, subtitle: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=page_url, rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language("en")
    feed.generator(current_app.config["SITE_NAME"])
    return feed


def posts_feed() -> tuple[bytes, datetime]:
    """The newest published posts, whole essays as HTML; and the time the feed last changed."""
    site = current_app.config["SITE_NAME"]
    feed = _feed(site, url_for("feeds.posts", _external=True), url_for("posts.index", _external=True),
                 f"Essays on {site}")
    posts = latest_posts()
    updated = max((post.updated_at for post in posts), default=EPOCH)
    for post in reversed(posts):  # feedgen puts each new entry first
        entry = feed.add_entry()
        link = url_for("posts.detail", slug=post.slug, _external=True)
        entry.id(link)
        entry.title(post.title)
        entry.link(href=link, rel="alternate")
        entry.author(name=post.author.username)
        entry.published(post.published_at)
        entry.updated(post.updated_at)
        entry.summary(post.excerpt)
        entry.content(post.body_html, type="html")
    feed.updated(updated)
    return feed.atom_str(pretty=True), updated


def comments_feed(post: Post | None = None) -> tuple[bytes, datetime]:
    """The newest public comments, of one post or of the whole site."""
    site = current_app.config["SITE_NAME"]
    if post is None:
        feed = _feed(f"Comments on {site}", url_for("feeds.comments", _external=True),
                     url_for("posts.index", _external=True), f"The newest comments on {site}")
    else:
        feed = _feed(f"Comments on “{post.title}”", url_for("feeds.post_comments", slug=post.slug, _external=True),
                     url_for("posts.detail", slug=post.slug, _external=True), f"The discussion under “{post.title}”")
    rows = public_comments(post)
    quiet_since = post.published_at if post is not None and post.published_at else EPOCH
    updated = max((comment.edited_at or comment.created_at for comment, _ in rows), default=quiet_since)
    for comment, on_post in reversed(rows):
        entry = feed.add_entry()
        link = url_for("comments.permalink", comment_id=comment.id, _external=True)
        entry.id(link)
        entry.title(f"Comment on “{on_post.title}” by {comment.display_name}")
        entry.link(href=link, rel="alternate")
        entry.author(name=comment.display_name)  # never the email address
        entry.published(comment.created_at)
        entry.updated(comment.edited_at or comment.created_at)
        entry.content(comment.body_html, type="html")
    feed.updated(updated)
    return feed.atom_str(pretty=True), updated
