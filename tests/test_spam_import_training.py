"""An import's history teaches the spam filter (issue 14): its approved comments as good, its spam
as spam, each once, after the import commits; a dry run or a failed import teaches nothing."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, SpamToken
from community.spam import classifier
from community.spam.features import tokens
from tests.factories import make_comment, make_post

EXPORT = Path(__file__).parent / "data" / "wordpress" / "field-notes.xml"


def totals(app) -> tuple[int, int]:
    with app.app_context():
        return classifier.totals()


def counted() -> dict[str, tuple[int, int]]:
    rows = db.session.execute(sa.select(SpamToken.feature, SpamToken.spam_count, SpamToken.ham_count))
    return {feature: (spam, ham) for feature, spam, ham in rows}


def statistics(app) -> dict[str, tuple[int, int]]:
    with app.app_context():
        return counted()


def test_an_import_teaches_the_filter_its_approved_and_spam_comments(app, users, runner):
    result = runner.invoke(args=["import-wordpress", str(EXPORT)])
    assert result.exit_code == 0, result.output
    # The export holds 9 approved, 1 pending, 1 spam and 1 trash comment: held and trash teach nothing.
    assert totals(app) == (1, 9)
    assert "The spam filter learned from 10 imported comments (1 spam, 9 good) in " in result.output
    with app.app_context():
        learned = dict(db.session.execute(sa.select(Comment.status, Comment.spam_learned_as)
                                          .where(Comment.status.in_(["pending", "trash"]))).all())
        assert set(learned.values()) == {None}
        spam = db.session.scalar(sa.select(Comment).where(Comment.status == "spam"))
        assert spam.spam_learned_as == "spam"
        assert all(counted()[token][0] >= 1 for token in tokens(spam.body_markdown, spam.guest_website))


def test_importing_again_teaches_nothing_twice(app, users, runner):
    runner.invoke(args=["import-wordpress", str(EXPORT)])
    before = statistics(app)
    result = runner.invoke(args=["import-wordpress", str(EXPORT)])
    assert result.exit_code == 0 and "spam filter learned" not in result.output
    assert totals(app) == (1, 9) and statistics(app) == before


def test_a_dry_run_teaches_nothing(app, users, runner):
    result = runner.invoke(args=["import-wordpress", str(EXPORT), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert totals(app) == (0, 0) and "spam filter learned" not in result.output


def test_a_failed_import_teaches_nothing(app, users, runner, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(EXPORT.read_bytes()[:2000])
    result = runner.invoke(args=["import-wordpress", str(broken)])
    assert result.exit_code != 0
    assert totals(app) == (0, 0)


def test_the_sites_own_comments_are_left_to_its_moderators(app, users, runner):
    """An import teaches what it brought; the site's own comments wait for `spam-train --existing`."""
    slug = make_post(app, title="Our Own")
    own = make_comment(app, slug, "A comment written on this site, approved by the rules.")
    runner.invoke(args=["import-wordpress", str(EXPORT)])
    assert totals(app) == (1, 9)
    result = runner.invoke(args=["spam-train", "--existing"])
    assert result.exit_code == 0, result.output
    assert totals(app) == (1, 10)
    with app.app_context():
        assert db.session.get(Comment, own).spam_learned_as == "ham"


def test_learning_many_at_once_counts_as_learning_each(app):
    examples = [({"casino", "bonus", "link:spam.example"}, True), ({"garden", "train"}, False),
                ({"casino", "garden"}, False), ({"casino"}, True)]
    with app.app_context():
        for features, is_spam in examples:
            classifier.learn(features, is_spam)
        one_by_one = counted()
        one_by_one_totals = classifier.totals()
        classifier.reset()
        classifier.learn_many(examples)
        at_once = counted()
        assert (at_once, classifier.totals()) == (one_by_one, one_by_one_totals) == (at_once, (2, 2))
