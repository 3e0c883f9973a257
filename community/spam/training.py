"""How the filter learns: from each status a moderator gives a comment (approve or "Not spam"
teach good, "Mark as spam" teaches spam, undo and unapprove unlearn) and from imported history."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import Comment, CommentStatus
from community.spam import classifier
from community.spam.features import tokens

SPAM, HAM = "spam", "ham"
# What each status teaches; trash says nothing about spam, so what was learned stays.
_TEACHES = {CommentStatus.APPROVED: HAM, CommentStatus.SPAM: SPAM, CommentStatus.PENDING: None}


def learn_from_status_change(comment: Comment, new_status: str) -> None:
    """Bring what the filter learned from this comment in line with its new status: at most one
    unlearn and one learn, remembered on the comment so undoing is exact and repeats are free."""
    if new_status not in _TEACHES or comment.is_deleted:
        return
    wanted = _TEACHES[CommentStatus(new_status)]
    if wanted == comment.spam_learned_as:
        return
    features = tokens(comment.body_markdown, comment.guest_website)
    if comment.spam_learned_as is not None:
        classifier.learn(features, comment.spam_learned_as == SPAM, delta=-1)
    if wanted is not None:
        classifier.learn(features, wanted == SPAM)
    comment.spam_learned_as = wanted


def learn_text(text: str, is_spam: bool, website: str | None = None) -> None:
    """Imported history: one labelled comment that is not on this site."""
    classifier.learn(tokens(text, website), is_spam)


LEARN_AT_ONCE = 1000


def learn_decided(only=sa.true()) -> tuple[int, int]:
    """History teaches the filter: every approved (good) and spam comment matching `only` that it
    has not learned from yet, each once (remembered on the comment, so a second run, or a
    moderator's later decision, counts it no more), in batches. Returns (spam, good) learned."""
    decided = (sa.select(Comment.id, Comment.status, Comment.body_markdown, Comment.guest_website)
               .where(Comment.status.in_([CommentStatus.APPROVED, CommentStatus.SPAM]),
                      Comment.spam_learned_as.is_(None), Comment.deleted_at.is_(None), only)
               .order_by(Comment.id).limit(LEARN_AT_ONCE))
    learned = {SPAM: 0, HAM: 0}
    after = 0
    while rows := db.session.execute(decided.where(Comment.id > after)).all():
        classifier.learn_many([(tokens(body, website), status == CommentStatus.SPAM)
                               for _id, status, body, website in rows])
        for label, status in ((SPAM, CommentStatus.SPAM), (HAM, CommentStatus.APPROVED)):
            ids = [row.id for row in rows if row.status == status]
            if ids:
                db.session.execute(sa.update(Comment.__table__).where(Comment.__table__.c.id.in_(ids))
                                   .values(spam_learned_as=label))
            learned[label] += len(ids)
        after = rows[-1].id
        classifier.prune(current_app.config["SPAM_MAX_TOKENS"])  # bounded all along, not only at the end
    return learned[SPAM], learned[HAM]


def learn_imported() -> tuple[int, int]:
    """What an import brought (comments with a source): approved ones teach good, spam teaches spam."""
    return learn_decided(Comment.source.is_not(None))
