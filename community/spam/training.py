"""How the filter learns: from each status a moderator gives a comment (approve or "Not spam"
teach good, "Mark as spam" teaches spam, undo and unapprove unlearn) and from imported history."""

from __future__ import annotations

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
