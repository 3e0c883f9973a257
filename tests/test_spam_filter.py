"""The learned score: trained by moderators' decisions and by imported history, holding only
until it has seen enough, shown in the queue, bounded, and measured by `spam-eval`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, SpamToken
from community.services.comments import Guest, add_comment
from community.services.moderation import save_settings
from community.spam import classifier
from community.spam.classifier import combine, token_probability
from community.spam.training import learn_text
from tests.conftest import post_form
from tests.factories import make_post, post_by_slug, user_named

CORPUS = Path(__file__).parent / "data" / "spam" / "corpus.csv"
SPAMMY = "Best online casino bonus: free spins and a no deposit bonus, withdraw bitcoin today at https://spinwin.example.com"
HAMMY = "Your essay about your father's garden made me think of my grandmother and the tomatoes she grew every summer."


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="The Garden")


def teach(app, spam: int, ham: int) -> None:
    with app.app_context():
        for number in range(spam):
            learn_text(f"{SPAMMY} offer {number}", True)
        for number in range(ham):
            learn_text(f"{HAMMY} thought {number}", False)
        db.session.commit()


def post_as_guest(app, slug, body, email="wren@example.net") -> Comment:
    with app.app_context():
        comment = add_comment(post_by_slug(slug), body, guest=Guest("Wren", email))
        db.session.commit()
        db.session.refresh(comment)
        db.session.expunge(comment)
        return comment


def act(client, action, comment_id):
    return post_form(client, "/moderation/comments", {"action": action, "comment_ids": [comment_id]})


def totals(app) -> tuple[int, int]:
    with app.app_context():
        return classifier.totals()


# --- the arithmetic --------------------------------------------------------------------------------

def test_a_token_seen_only_in_spam_leans_to_spam_more_the_more_it_is_seen():
    assert 0.5 < token_probability(1, 0, 10, 10) < token_probability(10, 0, 10, 10) < 1
    assert token_probability(0, 0, 10, 10) == 0.5


def test_combining_agrees_with_the_evidence_and_says_unsure_when_it_is_mixed():
    assert combine([0.99] * 10) > 0.99 and combine([0.01] * 10) < 0.01
    assert 0.4 < combine([0.99] * 5 + [0.01] * 5) < 0.6
    assert combine([]) == 0.5


# --- learning from moderators ---------------------------------------------------------------------

def test_mark_as_spam_teaches_spam_and_undo_unteaches(client, app, slug, auth):
    comment = post_as_guest(app, slug, SPAMMY)
    auth.login("moderator")
    act(client, "spam", comment.id)
    assert totals(app) == (1, 0)
    with app.app_context():
        assert db.session.get(Comment, comment.id).spam_learned_as == "spam"
        assert db.session.get(SpamToken, "casino").spam_count == 1
    act(client, "restore", comment.id)  # "Not spam": back where it was, and learned as good
    with app.app_context():
        restored = db.session.get(Comment, comment.id)
        assert (restored.status, restored.spam_learned_as) == ("approved", "ham")
        assert db.session.get(SpamToken, "casino").spam_count == 0
    assert totals(app) == (0, 1)


def test_undo_from_the_log_unlearns(client, app, slug, auth):
    from community.models import LogEntry

    comment = post_as_guest(app, slug, HAMMY)
    auth.login("moderator")
    act(client, "spam", comment.id)
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.action == "spam"))
    post_form(client, f"/moderation/log/{entry.id}/undo")
    assert totals(app) == (0, 1)  # approved again, so good again


def test_approving_a_held_comment_teaches_good_once(client, app, slug, auth):
    app.config["HOLD_FIRST_COMMENT"] = True
    comment = post_as_guest(app, slug, HAMMY)
    auth.login("moderator")
    act(client, "approve", comment.id)
    act(client, "approve", comment.id)
    assert totals(app) == (0, 1)
    act(client, "unapprove", comment.id)
    assert totals(app) == (0, 0)


def test_trash_keeps_what_was_learned(client, app, slug, auth):
    comment = post_as_guest(app, slug, SPAMMY)
    auth.login("moderator")
    act(client, "spam", comment.id)
    act(client, "trash", comment.id)
    assert totals(app) == (1, 0)


# --- the score's verdicts ---------------------------------------------------------------------------

def test_until_it_has_learned_enough_the_filter_only_holds(app, slug):
    teach(app, spam=5, ham=5)
    comment = post_as_guest(app, slug, SPAMMY)
    assert (comment.status, comment.held_by_rule) == ("pending", "learned-score")
    assert comment.spam_score > 0.9


def test_once_trained_a_high_score_is_spam_and_a_good_comment_is_published(app, slug, users):
    with app.app_context():
        save_settings(user_named("admin"), {"spam_min_decisions": 5})
        db.session.commit()
    teach(app, spam=6, ham=6)
    spam = post_as_guest(app, slug, SPAMMY + " now")
    assert (spam.status, spam.held_by_rule) == ("spam", "learned-score")
    good = post_as_guest(app, slug, HAMMY + " Thank you.", email="other@example.net")
    assert good.status == "approved" and good.spam_score < 0.1


def test_the_queue_shows_the_score_and_the_words_behind_it(client, app, slug, auth):
    teach(app, spam=5, ham=5)
    post_as_guest(app, slug, SPAMMY)
    auth.login("moderator")
    page = client.get("/moderation/").get_data(as_text=True)
    assert re.search(r"Spam score (0\.9\d|1\.00)", page) and "Words behind it:" in page and "bitcoin (0.9" in page
    assert "learned-score:" in page


def test_the_spam_tab_offers_not_spam(client, app, slug, auth):
    comment = post_as_guest(app, slug, SPAMMY)
    auth.login("moderator")
    act(client, "spam", comment.id)
    page = client.get("/moderation/?tab=spam").get_data(as_text=True)
    assert ">Not spam</button>" in page


# --- bounded statistics ----------------------------------------------------------------------------

def test_pruning_keeps_the_statistics_under_their_bound(app):
    with app.app_context():
        for number in range(300):
            learn_text(f"word{number} common", number % 2 == 0)
        learn_text("common common", True)
        assert classifier.token_count() > 600
        removed = classifier.prune(200)
        assert removed > 0 and classifier.token_count() <= 200
        assert db.session.get(SpamToken, "common") is not None  # the often-seen stay


def test_reset_forgets_everything(app, slug):
    teach(app, spam=3, ham=3)
    with app.app_context():
        classifier.reset()
        db.session.commit()
        assert classifier.totals() == (0, 0) and classifier.token_count() == 0


# --- commands ---------------------------------------------------------------------------------------

def test_spam_train_imports_history(app, runner, tmp_path):
    corpus = tmp_path / "history.csv"
    corpus.write_text('label,text\nspam,"Cheap pills, buy now"\nham,"I loved the bit about the shed."\n', encoding="utf-8")
    result = runner.invoke(args=["spam-train", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "knows 1 spam and 1 good" in result.output
    assert totals(app) == (1, 1)


def test_spam_train_refuses_an_unknown_label(app, runner, tmp_path):
    corpus = tmp_path / "bad.csv"
    corpus.write_text("label,text\nmaybe,hello\n", encoding="utf-8")
    result = runner.invoke(args=["spam-train", str(corpus)])
    assert result.exit_code != 0 and "not spam or ham" in result.output


def test_spam_eval_with_train_and_test_files_prints_the_figures_last(app, runner, tmp_path):
    rows = CORPUS.read_text(encoding="utf-8").splitlines(keepends=True)
    import csv
    import io

    records = list(csv.reader(io.StringIO("".join(rows))))[1:]
    spam = [r for r in records if r[0] == "spam"][:40]
    ham = [r for r in records if r[0] == "ham"][:40]

    def write(name, part):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([["label", "text"], *part])
        return str(path)

    train = write("train.csv", spam[:30] + ham[:30])
    test = write("test.csv", spam[30:] + ham[30:])
    result = runner.invoke(args=["spam-eval", "--train", train, "--test", test])
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("precision=") and " recall=" in last and " fpr=" in last
    assert "held-out good comments by first-time guests (10)" in result.output


def test_the_corpus_meets_the_targets(app, runner):
    """The issue's acceptance: no good comment to spam, recall at least 0.9, every good first-time
    guest reaches the queue (the whole pipeline on the held-out half of the project's corpus)."""
    result = runner.invoke(args=["spam-eval", str(CORPUS), "--train-fraction", "0.5", "--seed", "7"])
    assert result.exit_code == 0, result.output
    precision, recall, fpr = (float(part.split("=")[1]) for part in result.output.strip().splitlines()[-1].split())
    assert fpr == 0 and recall >= 0.9 and precision == 1.0


# --- the settings section ---------------------------------------------------------------------------

SETTINGS = {"max_links": "2", "flood_seconds": "0", "close_after_days": "0", "blocked_domains": "spinwin.example.com",
            "chatbot_phrases": "as an ai language model", "spam_threshold": "0.95", "spam_hold_threshold": "0.4",
            "spam_min_decisions": "20", "min_fill_seconds": "4"}


def test_an_admin_edits_the_filters_settings_and_the_log_says_so(client, app, users, auth):
    from community.services.settings import current_settings

    auth.login("admin")
    response = post_form(client, "/moderation/settings", SETTINGS)
    assert response.status_code == 302
    with app.app_context():
        saved = current_settings()
        assert (saved.spam_threshold, saved.spam_hold_threshold, saved.spam_min_decisions, saved.min_fill_seconds) == (0.95, 0.4, 20, 4)
        assert saved.blocked_domains == "spinwin.example.com"
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "spam_threshold: 0.9 → 0.95" in log


@pytest.mark.parametrize("changes, field, message", [
    ({"spam_hold_threshold": "0.96"}, "spam_hold_threshold", "must not be above"),
    ({"spam_threshold": "1.5"}, "spam_threshold", "From 0.5 to 1."),
    ({"blocked_domains": "not a domain"}, "blocked_domains", "is not a domain like example.com"),
])
def test_a_bad_filter_setting_is_refused_at_its_field_and_nothing_is_saved(client, app, users, auth, changes, field, message):
    auth.login("admin")
    response = post_form(client, "/moderation/settings", {**SETTINGS, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(message)}', page)
    with app.app_context():
        from community.models import ModerationSettings
        assert db.session.get(ModerationSettings, 1) is None


def test_the_settings_show_what_the_filter_learned_and_an_admin_can_reset_it(client, app, users, auth):
    from community.models import LogEntry

    teach(app, spam=3, ham=4)
    auth.login("admin")
    page = client.get("/moderation/settings").get_data(as_text=True)
    assert re.search(r"learned from <strong>3</strong> spam and <strong>4</strong> good comments", page)
    response = post_form(client, "/moderation/settings/spam-filter/reset")
    assert response.status_code == 302
    assert totals(app) == (0, 0)
    with app.app_context():
        entry = db.session.scalars(sa.select(LogEntry).order_by(LogEntry.id.desc())).first()
        assert "Spam filter reset: forgot what it learned from 3 spam and 4 good comments" in entry.reason
    page = client.get("/moderation/settings").get_data(as_text=True)
    assert "learned from <strong>0</strong> spam" in page and "since it was reset" in page
