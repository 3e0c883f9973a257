"""Reading a discussion: a page of whole threads in one ordered query, the tree built in Python,
and the reader's own likes in one more query."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import Comment, CommentLike, CommentStatus, Post, PostLike, User

LIKERS_SHOWN = 20


@dataclass
class CommentNode:
    comment: Comment
    children: list[CommentNode] = field(default_factory=list)


@dataclass
class Discussion:
    post: Post
    threads: list[CommentNode]
    page: int
    pages: int
    liked_comment_ids: set[int]
    post_liked: bool
    likers: list[User]

    @property
    def others_who_liked(self) -> int:
        return max(0, self.post.like_count - len(self.likers))


def _visible_threads(post: Post) -> sa.Select:
    return sa.select(Comment.id).where(
        Comment.post_id == post.id, Comment.depth == 1, Comment.status == CommentStatus.APPROVED
    )


def page_count(post: Post) -> int:
    threads = db.session.scalar(sa.select(sa.func.count()).select_from(_visible_threads(post).subquery()))
    return max(1, math.ceil(threads / current_app.config["COMMENTS_PER_PAGE"]))


def page_of(comment: Comment) -> int:
    """The page of its post's discussion that shows this comment's thread."""
    root_id = comment.root_id or comment.id
    earlier = db.session.scalar(
        sa.select(sa.func.count()).select_from(_visible_threads_before(comment.post_id, root_id).subquery())
    )
    return earlier // current_app.config["COMMENTS_PER_PAGE"] + 1


def _visible_threads_before(post_id: int, root_id: int) -> sa.Select:
    return sa.select(Comment.id).where(
        Comment.post_id == post_id,
        Comment.depth == 1,
        Comment.status == CommentStatus.APPROVED,
        Comment.id < root_id,
    )


def build_tree(comments: list[Comment]) -> list[CommentNode]:
    """Nest comments given in path order; a reply whose parent is not shown is not shown either."""
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    for comment in comments:
        node = CommentNode(comment)
        if comment.parent_id is None:
            roots.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].children.append(node)
        else:
            continue
        nodes[comment.id] = node
    return roots


def load_discussion(post: Post, page: int, viewer: User | None) -> Discussion | None:
    """The page's threads, the viewer's likes and the post's likers; None when the page is past the end."""
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    pages = page_count(post)
    if page < 1 or page > pages:
        return None
    page_roots = _visible_threads(post).order_by(Comment.id).limit(per_page).offset((page - 1) * per_page)
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.root_id.in_(page_roots), Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.root_id, Comment.path)
    ).all()

    liked_comment_ids: set[int] = set()
    post_liked = False
    if viewer is not None and viewer.is_authenticated:
        liked_comment_ids, post_liked = viewer_likes(post, viewer)

    likers: list[User] = []
    if post.like_count:
        likers = list(
            db.session.scalars(
                sa.select(User)
                .join(PostLike, PostLike.user_id == User.id)
                .where(PostLike.post_id == post.id)
                .order_by(PostLike.created_at, PostLike.user_id)
                .limit(LIKERS_SHOWN)
            )
        )
    return Discussion(post, build_tree(list(comments)), page, pages, liked_comment_ids, post_liked, likers)


def viewer_likes(post: Post, viewer: User) -> tuple[set[int], bool]:
    """Which of this post's comments the viewer liked, and whether they liked the post: one query."""
    rows = db.session.execute(
        sa.union_all(
            sa.select(sa.literal(0).label("is_comment"), PostLike.post_id.label("target_id")).where(
                PostLike.user_id == viewer.id, PostLike.post_id == post.id
            ),
            sa.select(sa.literal(1), CommentLike.comment_id)
            .join(Comment, Comment.id == CommentLike.comment_id)
            .where(CommentLike.user_id == viewer.id, Comment.post_id == post.id),
        )
    ).all()
    return {target for is_comment, target in rows if is_comment}, any(not is_comment for is_comment, _ in rows)
