"""spam-eval's measurement: a fresh site in memory learns the training part as imported history,
then every test comment goes through add_comment as a first-time guest, as a person's would (a
form drawn a minute before, honeypot empty), and the statuses it gets are counted."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from community.models import CommentStatus, Role
from community.spam.form_token import FormEvidence

TARGET_RECALL = 0.9


@dataclass
class EvalResult:
    trained_spam: int = 0
    trained_ham: int = 0
    spam: Counter = field(default_factory=Counter)  # statuses the test spam got
    ham: Counter = field(default_factory=Counter)  # statuses the test good comments got
    missed: list[str] = field(default_factory=list)  # spam that was published, for a look
    wrongly_spammed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        caught = self.spam[CommentStatus.SPAM] + self.ham[CommentStatus.SPAM]
        return self.spam[CommentStatus.SPAM] / caught if caught else 1.0

    @property
    def recall(self) -> float:
        total = sum(self.spam.values())
        return self.spam[CommentStatus.SPAM] / total if total else 0.0

    @property
    def fpr(self) -> float:
        total = sum(self.ham.values())
        return self.ham[CommentStatus.SPAM] / total if total else 0.0

    @property
    def good_reach_queue(self) -> bool:
        """Every good comment by a first-time guest waits for a moderator (or is published): none is spam."""
        return self.ham[CommentStatus.SPAM] == 0

    @property
    def targets_met(self) -> bool:
        return self.fpr == 0 and self.recall >= TARGET_RECALL and self.good_reach_queue

    def report(self) -> list[str]:
        def statuses(counter: Counter) -> str:
            return ", ".join(f"{counter[status]} {status}" for status in (CommentStatus.SPAM, CommentStatus.PENDING, CommentStatus.APPROVED))

        lines = [
            f"trained on {self.trained_spam} spam and {self.trained_ham} good comments",
            f"held-out spam ({sum(self.spam.values())}): {statuses(self.spam)}",
            f"held-out good comments by first-time guests ({sum(self.ham.values())}): {statuses(self.ham)}",
        ]
        lines += [f"  good comment sent to spam: {text[:100]!r}" for text in self.wrongly_spammed[:10]]
        lines += [f"  spam published: {text[:100]!r}" for text in self.missed[:10]]
        lines += [
            f"target fpr = 0: {'met' if self.fpr == 0 else 'MISSED'}",
            f"target recall >= {TARGET_RECALL}: {'met' if self.recall >= TARGET_RECALL else 'MISSED'}",
            f"target every good first-time guest reaches the queue, not spam: {'met' if self.good_reach_queue else 'MISSED'}",
            f"precision={self.precision:.3f} recall={self.recall:.3f} fpr={self.fpr:.3f}",
        ]
        return lines


def evaluate(train: list[tuple[bool, str]], test: list[tuple[bool, str]], secret_key: str,
             create_app: Callable[[dict[str, Any]], Flask]) -> EvalResult:
    """Train on `train`, judge `test`, in a site of its own (SQLite in memory) made by `create_app`
    (the app factory), with the default rules."""
    from community.extensions import db
    from community.services.accounts import create_account
    from community.services.comments import Guest, add_comment
    from community.services.posts import create_post
    from community.services.settings import default_settings
    from community.spam.training import learn_text

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": secret_key, "PAGE_CACHE": False,
        "CACHE_TYPE": "NullCache", "RATELIMIT_ENABLED": False, "SPAM_FORM_CHECKS": True,
    })
    result = EvalResult()
    with app.app_context(), app.test_request_context():
        db.create_all()
        settings = default_settings()
        settings.hold_first_comment, settings.flood_seconds = True, 0
        db.session.add(settings)
        author = create_account("essayist", "essayist@example.org", secrets.token_urlsafe(16), Role.AUTHOR)
        post = create_post(author, "The year I stopped running", "An essay.", publish=True)
        db.session.flush()
        for is_spam, text in train:
            learn_text(text, is_spam)
            result.trained_spam += is_spam
            result.trained_ham += not is_spam
        for number, (is_spam, text) in enumerate(test):
            guest = Guest(f"Guest {number}", f"guest{number}@example.org")
            form = FormEvidence(nonce=f"eval-{number}", seconds=60.0)
            status = add_comment(post, text, guest=guest, form=form).status
            (result.spam if is_spam else result.ham)[status] += 1
            if is_spam and status == CommentStatus.APPROVED:
                result.missed.append(text)
            if not is_spam and status == CommentStatus.SPAM:
                result.wrongly_spammed.append(text)
        db.session.rollback()
        db.engine.dispose()
    return result
