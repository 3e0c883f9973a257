"""What an unsubscribe link stops (its scope: everything, new posts, moderation summaries or one
discussion), named and told in words. Below both the subscription rules and the emails."""

from __future__ import annotations

from community.extensions import db
from community.models import Post
from community.services import DomainError

ALL = "all"
NEW_POSTS = "posts"
MODERATION = "moderation"


def post_scope(post_id: int) -> str:
    return f"post:{post_id}"


def describe_scope(scope: str) -> str:
    """What an unsubscribe link stops, in words for its confirm page and its email."""
    if scope == NEW_POSTS:
        return "emails about new posts"
    if scope == MODERATION:
        return "emails about comments awaiting moderation"
    if scope.startswith("post:"):
        post = db.session.get(Post, scope_id(scope))
        return f"emails about the discussion of “{post.title}”" if post else "emails about this discussion"
    return "every email from this site"


def scope_id(scope: str) -> int:
    """The post of a "post:<id>" scope."""
    try:
        return int(scope.partition(":")[2])
    except ValueError:
        raise DomainError("This link is not valid. Please use the whole link from the email.") from None
