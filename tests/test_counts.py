"""Counts that stay true: the counters on rows equal COUNT(*) after any sequence of actions."""

from __future__ import annotations

import random

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentLike, Post, PostLike, User
from tests.conftest import post_form
from tests.factories import make_post


def true_and_stored_counts(app):
    """(stored, counted) for every counter, counted here independently of the app's own recount."""
    with app.app_context():
        pairs = []
        for post in db.session.scalars(sa.select(Post)):
            comments = db.session.scalar(sa.select(sa.func.count()).where(
                Comment.post_id == post.id, Comment.status == "approved", Comment.deleted_at.is_(None)))
            likes = db.session.scalar(sa.select(sa.func.count()).where(PostLike.post_id == post.id))
            pairs += [(("post", post.id, "comments"), post.comment_count, comments), (("post", post.id, "likes"), post.like_count, likes)]
        for comment in db.session.scalars(sa.select(Comment)):
            likes = db.session.scalar(sa.select(sa.func.count()).where(CommentLike.comment_id == comment.id))
            pairs.append((("comment", comment.id, "likes"), comment.like_count, likes))
        return pairs


WORDS = ("friend letter drift distance remember summer city call silence laugh years kitchen train promise photo "
         "birthday message forgive change habit walk coffee music night honest small kind quiet again still maybe "
         "almost always never wrote answered missed kept lost found river window garden morning autumn bridge "
         "lantern harbour meadow orchard pebble quilt ribbon saddle thimble velvet willow yarn zephyr").split()


def test_random_actions_keep_every_count_equal_to_count_star(app, users, auth):
    """Comments (some held as first comments), replies, likes, unlikes, moderation of every kind,
    reports, edits and deletions by authors: the stored counts follow every one."""
    app.config["HOLD_FIRST_COMMENT"] = True
    app.config["REPORT_HIDE_THRESHOLD"] = 2
    rng = random.Random(20261128)
    slugs = [make_post(app, title=f"Essay {n}") for n in range(2)]
    clients = {}
    for name in ("reader", "Ana", "author", "moderator", "admin"):
        client = app.test_client()
        post_form(client, "/auth/login", {"login": name, "password": "correct horse battery"})
        clients[name] = client
    comment_ids: dict[str, list[int]] = {slug: [] for slug in slugs}
    for step in range(400):
        name = rng.choice(list(clients))
        client = clients[name]
        slug = rng.choice(slugs)
        action = rng.choice(["comment", "reply", "like_post", "unlike_post", "like_comment", "unlike_comment",
                             "moderate", "report", "delete_own", "edit_own"])
        if action in ("comment", "reply"):
            data = {"body": f"Step {step}: " + " ".join(random.Random(step).sample(WORDS, 8))}  # unlike each other,
            # so the spam filter's near-duplicate check holds none of them (moderation does that here)
            if action == "reply" and comment_ids[slug]:
                data["parent_id"] = str(rng.choice(comment_ids[slug]))
            response = post_form(client, f"/posts/{slug}/comments", data)
            if response.status_code == 302:
                with app.app_context():
                    newest = db.session.scalar(sa.select(sa.func.max(Comment.id)))
                comment_ids[slug].append(newest)
            else:
                assert response.status_code == 422  # a reply beyond the depth limit, or to a hidden comment
        elif action.endswith("_post"):
            with app.app_context():
                post_id = db.session.scalar(sa.select(Post.id).where(Post.slug == slug))
            assert post_form(client, f"/likes/posts/{post_id}", {"liked": "1" if action == "like_post" else "0"}).status_code == 302
        elif not comment_ids[slug]:
            continue
        elif action == "moderate":
            targets = rng.sample(comment_ids[slug], min(3, len(comment_ids[slug])))
            verb = rng.choice(["approve", "unapprove", "spam", "trash", "restore", "delete"])
            response = post_form(clients["admin"], "/moderation/comments", {"comment_ids": [str(t) for t in targets], "action": verb})
            assert response.status_code == 302
        elif action == "report":
            target = rng.choice(comment_ids[slug])
            assert post_form(client, f"/comments/{target}/report", {"reason": "spam"}).status_code in (302, 404, 422)
        elif action in ("delete_own", "edit_own"):
            target = rng.choice(comment_ids[slug])
            with app.app_context():
                mine = db.session.scalar(sa.select(Comment.author_id).where(Comment.id == target))
                owner = next((n for n in clients if n.lower() == (db.session.get(User, mine).username_key if mine else "")), None)
            if owner:
                verb = "delete" if action == "delete_own" else "edit"
                response = post_form(clients[owner], f"/comments/{target}/{verb}", {"body": f"edited at {step}"})
                assert response.status_code in (302, 403, 404)
        else:
            target = rng.choice(comment_ids[slug])
            response = post_form(client, f"/likes/comments/{target}", {"liked": "1" if action == "like_comment" else "0"})
            assert response.status_code in (302, 404)  # 404: the comment is held, removed or gone
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(Comment.status)))
    assert len(statuses) >= 3  # the sequence really moderated
    pairs = true_and_stored_counts(app)
    assert sum(counted for _, _, counted in pairs) > 10  # the sequence really did things
    assert [(key, stored, counted) for key, stored, counted in pairs if stored != counted] == []


def test_recount_mends_drift_and_says_how_much(app, users, runner):
    from tests.factories import like_post, make_comment

    slug = make_post(app)
    make_comment(app, slug, "one")
    like_post(app, slug, "Ana")
    with app.app_context():
        db.session.execute(sa.update(Post).values(comment_count=7, like_count=0))
        db.session.commit()
    result = runner.invoke(args=["recount"])
    assert "2 stored counts were wrong" in result.output
    assert all(stored == counted for _, stored, counted in true_and_stored_counts(app))
    assert "0 stored counts were wrong" in runner.invoke(args=["recount"]).output
