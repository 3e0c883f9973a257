"""Email notifications, delivered by the worker to a real SMTP server (aiosmtpd on a loopback
port): opt-in, double opt-in, who gets what, one-click unsubscribe, retries and bounces."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, MessageStatus, Notice, OutboxEvent, OutboxMessage, Subscriber, Subscription
from community.models.base import utcnow
from community.notifications.tokens import CONFIRM, UNSUBSCRIBE, make_token
from community.notifications.worker import make_sender, run_once
from community.services.moderation import Action, moderate_comment
from tests.conftest import post_form
from tests.factories import make_comment, make_post, post_by_slug, user_named
from tests.smtp_server import smtp_server

SITE = "https://community.example"
GUEST = {"name": "Wren", "email": "wren@example.net"}


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, port):
        yield inbox, port


@pytest.fixture
def app_settings(smtp) -> dict[str, object]:
    _inbox, port = smtp
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_FROM": "Community <notify@community.example>",
            "SITE_URL": SITE, "NOTIFY_BATCH_MINUTES": 0}


@pytest.fixture
def inbox(smtp):
    return smtp[0]


def work(app) -> None:
    """What the worker does in one `--once` run."""
    with app.app_context():
        sender = make_sender(app)
        try:
            while run_once(sender):
                pass
        finally:
            sender.close()


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https://community\.example/\S+", text_of(message))


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def comment_as_guest(client, slug, body="A guest's thought.", **extra):
    return post_form(client, f"/posts/{slug}/comments", {"body": body, **GUEST, **extra})


def confirm_from(client, message: EmailMessage) -> None:
    link = next(link for link in links_in(message) if "/notifications/confirm/" in link)
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Confirm my subscription" in page.get_data(as_text=True)
    assert post_form(client, path_of(link)).status_code == 302


@pytest.fixture
def post(app, users):
    return make_post(app, "author", "On Drifting")


def test_a_guest_confirms_once_then_hears_of_replies_to_their_comment(app, client, users, post, inbox, auth):
    answer = comment_as_guest(client, post, notify_replies="y")
    assert answer.status_code == 302
    assert "Check your inbox to confirm" in client.get(answer.headers["Location"]).get_data(as_text=True)
    work(app)
    [confirmation] = inbox.to("wren@example.net")
    assert "Confirm" in confirmation["Subject"]
    with app.app_context():
        guest_comment = db.session.scalar(sa.select(Comment.id).where(Comment.guest_email == "wren@example.net"))
    # Nothing but the confirmation until the link is followed.
    make_comment(app, post, "An early answer.", "Ana", parent_id=guest_comment)
    work(app)
    assert len(inbox.to("wren@example.net")) == 1
    confirm_from(client, confirmation)
    make_comment(app, post, "Ana's answer, after the confirmation.", "Ana", parent_id=guest_comment)
    work(app)
    reply = inbox.to("wren@example.net")[-1]
    assert reply["Subject"] == "Ana replied to your comment on “On Drifting”"
    assert "Ana's answer, after the confirmation." in text_of(reply)
    assert "Ana&#39;s answer, after the confirmation." in html_of(reply)
    assert "On Drifting" in text_of(reply)


def test_every_email_has_both_parts_site_links_and_one_click_unsubscribe(app, client, users, post, inbox):
    comment_as_guest(client, post, notify_comments="y")
    work(app)
    confirm_from(client, inbox.to("wren@example.net")[0])
    make_comment(app, post, "Plain *words* from Ana.", "Ana")
    work(app)
    message = inbox.to("wren@example.net")[-1]
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    assert "Plain words from Ana." in text_of(message)  # the text as plain text, not Markdown
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/notifications/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(link.startswith(SITE) for link in re.findall(r"https?://\S+", text_of(message)))
    assert any("/notifications/manage/" in link for link in links_in(message))
    assert any("/comments/" in link for link in links_in(message))
    # Nobody's address is shown: not the commenter's, not the recipient's in the body.
    assert "ana@example.org" not in message.as_string()
    with app.app_context():
        assert "wren@example.net" not in make_token(UNSUBSCRIBE, 1, "all")


def test_one_click_unsubscribe_is_a_post_without_csrf_and_its_get_only_asks(app, client, users, post, inbox):
    comment_as_guest(client, post, notify_comments="y")
    work(app)
    confirm_from(client, inbox.to("wren@example.net")[0])
    make_comment(app, post, "First.", "Ana")
    work(app)
    link = path_of(inbox.to("wren@example.net")[-1]["List-Unsubscribe"].strip("<>"))
    page = client.get(link)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1  # GET changed nothing
    fresh = app.test_client()  # a mail client: no session, no CSRF token
    answer = fresh.post(link, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0
    count = len(inbox.to("wren@example.net"))
    make_comment(app, post, "Second.", "Ana")
    work(app)
    assert len(inbox.to("wren@example.net")) == count
    assert fresh.post(link).status_code == 200  # pressing again is harmless


@pytest.mark.parametrize("token", ["not-a-token", "WzEsIiJd.abc.def"])
def test_a_forged_link_gets_a_clear_page(client, users, token):
    for path in (f"/notifications/unsubscribe/{token}", f"/notifications/confirm/{token}",
                 f"/notifications/manage/{token}"):
        page = client.get(path)
        assert page.status_code == 400
        assert "This link is not valid" in page.get_data(as_text=True)


def test_a_token_works_only_for_its_purpose_and_expires(app, client, users, post, inbox, monkeypatch):
    comment_as_guest(client, post, notify_comments="y")
    with app.app_context():
        subscriber_id = db.session.scalar(sa.select(Subscriber.id))
        confirm_token = make_token(CONFIRM, subscriber_id)
    assert client.get(f"/notifications/unsubscribe/{confirm_token}").status_code == 400
    import community.notifications.tokens as tokens
    monkeypatch.setitem(tokens.LIFETIMES, CONFIRM, timedelta(seconds=-1))
    page = client.get(f"/notifications/confirm/{confirm_token}")
    assert page.status_code == 400 and "expired" in page.get_data(as_text=True)


def test_one_confirmation_email_per_address_per_day(app, client, users, post, inbox):
    comment_as_guest(client, post, "One.", notify_replies="y")
    comment_as_guest(client, post, "Two.", notify_comments="y")
    post_form(client, f"/posts/{post}/follow", {"email": "WREN@example.net"})
    work(app)
    assert len(inbox.to("wren@example.net")) == 1
    with app.app_context():
        subscriber = db.session.scalar(sa.select(Subscriber))
        subscriber.confirmation_sent_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    comment_as_guest(client, post, "Three.", notify_replies="y")
    work(app)
    assert len(inbox.to("wren@example.net")) == 2


def test_unconfirmed_requests_expire_after_seven_days(app, client, users, post, inbox):
    comment_as_guest(client, post, notify_comments="y")
    with app.app_context():
        db.session.execute(sa.update(Subscriber).values(created_at=utcnow() - timedelta(days=8)))
        db.session.execute(sa.update(Subscription).values(created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    work(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0


def subscribe_confirmed(app, username: str, **choices) -> None:
    """An account subscribed and confirmed, as if through the form and the link."""
    from community.notifications.subscriptions import Choices, follow_post, subscriber_of

    with app.app_context():
        subscriber = subscriber_of(user_named(username))
        subscriber.confirmed_at = utcnow()
        for slug in choices.get("follow", []):
            follow_post(post_by_slug(slug), user_named(username))
        db.session.commit()


def hold_every_comment(app) -> None:
    from community.services.moderation import save_settings

    with app.app_context():
        save_settings(user_named("admin"), {"hold_all_comments": True})
        db.session.commit()


def test_never_to_the_comments_own_author_and_once_however_many_ways_subscribed(app, client, users, post, inbox, auth):
    subscribe_confirmed(app, "Ana", follow=[post])
    subscribe_confirmed(app, "author")  # the post's author: on by default
    auth.login("Ana")
    post_form(client, f"/posts/{post}/comments", {"body": "Ana's top comment.", "notify_replies": "y"})
    work(app)
    assert inbox.to("ana@example.org") == []  # her own comment
    assert len(inbox.to("author@example.org")) == 1
    with app.app_context():
        ana_comment = db.session.scalar(sa.select(Comment.id).where(Comment.author_id == user_named("Ana").id))
    make_comment(app, post, "A reply to Ana.", "reader", parent_id=ana_comment)
    work(app)
    [reply] = inbox.to("ana@example.org")  # follows the post and the replies: one email
    assert "replied to your comment" in reply["Subject"]


def test_held_comments_are_announced_when_approved_spam_never(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana", follow=[post])
    subscribe_confirmed(app, "moderator")
    hold_every_comment(app)
    comment_as_guest(client, post, "Held words.", notify_comments="y")
    comment_as_guest(client, post, "Held then spam.")
    work(app)
    assert inbox.to("ana@example.org") == []
    [held] = inbox.to("mod@example.org")
    assert held["Subject"].startswith("2 comments await moderation")
    with app.app_context():
        first, second = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
        moderate_comment(user_named("moderator"), second, Action.SPAM)
        moderate_comment(user_named("moderator"), first, Action.APPROVE)
        db.session.commit()
    work(app)
    [approved] = inbox.to("ana@example.org")
    assert "Held words." in text_of(approved) and "Held then spam." not in text_of(approved)
    # The guest asked for mail about the post, so hears that theirs is public (once confirmed).
    confirmation = inbox.to("wren@example.net")[0]
    assert "Confirm" in confirmation["Subject"]


def test_an_approved_comments_author_hears_of_it(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana")
    hold_every_comment(app)
    from tests.conftest import AuthActions
    AuthActions(client).login("Ana")
    post_form(client, f"/posts/{post}/comments", {"body": "Mine, held.", "notify_replies": "y"})
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        moderate_comment(user_named("moderator"), comment, Action.APPROVE)
        db.session.commit()
    work(app)
    [approved] = inbox.to("ana@example.org")
    assert "is approved" in approved["Subject"]


def test_new_posts_reach_the_sites_followers(app, client, users, post, inbox):
    comment_as_guest(client, post, notify_posts="y")
    work(app)
    confirm_from(client, inbox.to("wren@example.net")[0])
    make_post(app, "author", "A Second Essay")
    work(app)
    message = inbox.to("wren@example.net")[-1]
    assert message["Subject"] == "New post: “A Second Essay”"
    assert f"{SITE}/posts/a-second-essay" in text_of(message)


def test_names_and_titles_never_become_headers(app, client, users, inbox):
    slug = make_post(app, "author", "Title\r\nBcc: victim@example.com")
    subscribe_confirmed(app, "Ana", follow=[slug])
    make_comment(app, slug, "Words.", None, guest=__import__("community.services.comments", fromlist=["Guest"]).Guest(
        "Eve\r\nBcc: victim@example.com", "eve@example.net"))
    work(app)
    [message] = inbox.to("ana@example.org")
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]


def test_a_busy_thread_sends_one_email_per_person_per_batch(app, client, users, post, inbox):
    app.config["NOTIFY_BATCH_MINUTES"] = 10
    subscribe_confirmed(app, "Ana", follow=[post])
    for number in range(1, 4):
        make_comment(app, post, f"Comment number {number}.", "reader")
        work(app)
    assert len(inbox.to("ana@example.org")) == 1  # the first at once, the others wait
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    work(app)
    first, second = inbox.to("ana@example.org")
    assert second["Subject"] == "2 new comments on “On Drifting”"
    assert "Comment number 2." in text_of(second) and "Comment number 3." in text_of(second)


def test_a_daily_digest_collects_a_days_notices(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana", follow=[post])
    with app.app_context():
        db.session.execute(sa.update(Subscriber).values(daily_digest=True))
        db.session.commit()
    make_comment(app, post, "Morning.", "reader")
    make_comment(app, post, "Evening.", "reader")
    work(app)
    assert inbox.to("ana@example.org") == []
    with app.app_context():
        db.session.execute(sa.update(Notice).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    work(app)
    [digest] = inbox.to("ana@example.org")
    assert "daily digest" in digest["Subject"] and "Morning." in text_of(digest) and "Evening." in text_of(digest)


def test_smtp_down_is_retried_with_backoff_and_nothing_is_lost(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana", follow=[post])
    inbox.refuse_for_now.add("ana@example.org")
    make_comment(app, post, "Try me later.", "reader")
    work(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.status == MessageStatus.QUEUED and message.attempts == 1
        assert message.last_error.startswith("451")
        assert message.next_attempt_at > utcnow()
        message.next_attempt_at = utcnow()
        db.session.commit()
    inbox.refuse_for_now.clear()
    work(app)
    assert len(inbox.to("ana@example.org")) == 1


def test_smtp_server_away_is_retried(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana", follow=[post])
    app.config["MAIL_PORT"] = __import__("tests.smtp_server", fromlist=["free_port"]).free_port()
    make_comment(app, post, "Nobody listening.", "reader")
    work(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.status == MessageStatus.QUEUED and message.attempts == 1 and message.last_error


def test_three_hard_bounces_stop_an_address(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana", follow=[post])
    inbox.refuse_for_good.add("ana@example.org")
    for number in range(3):
        make_comment(app, post, f"Bounce {number}.", "reader")
        work(app)
    with app.app_context():
        subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email_key == "ana@example.org"))
        assert subscriber.hard_bounces == 3 and subscriber.stopped_at is not None
        assert db.session.scalar(sa.select(OutboxMessage.last_error)).startswith("550")
    make_comment(app, post, "After the stop.", "reader")
    work(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3


def test_the_worker_keeps_its_smtp_connection(app, client, users, post, inbox):
    for name in ("Ana", "reader", "moderator"):
        subscribe_confirmed(app, name, follow=[post])
    before = inbox.connections
    make_comment(app, post, "For everyone.", "admin")
    work(app)
    assert len(inbox.messages) == 3 and inbox.connections - before == 1


def test_writing_a_comment_writes_one_event_and_sends_nothing(app, client, users, post, inbox):
    subscribe_confirmed(app, "Ana", follow=[post])
    make_comment(app, post, "Quiet.", "reader")
    with app.app_context():
        kinds = db.session.scalars(sa.select(OutboxEvent.kind).order_by(OutboxEvent.id)).all()
        assert kinds == ["post-published", "comment-public"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert inbox.messages == []


def test_the_mail_worker_command_drains_the_outbox(app, client, users, post, inbox, runner):
    subscribe_confirmed(app, "Ana", follow=[post])
    make_comment(app, post, "Via the command.", "reader")
    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(inbox.to("ana@example.org")) == 1


def test_follow_this_discussion(app, client, users, post, inbox, auth):
    assert post_form(client, f"/posts/{post}/follow", {"email": "not an address"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0
    answer = post_form(client, f"/posts/{post}/follow", {"email": "wren@example.net"})
    assert "Check your inbox" in client.get(answer.headers["Location"]).get_data(as_text=True)
    auth.login("Ana")
    post_form(client, f"/posts/{post}/follow")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 2


def test_manage_page_lists_and_removes_subscriptions(app, client, users, post, inbox):
    comment_as_guest(client, post, notify_comments="y", notify_posts="y")
    work(app)
    confirm_from(client, inbox.to("wren@example.net")[0])
    with app.app_context():
        from community.notifications.tokens import MANAGE
        token = make_token(MANAGE, db.session.scalar(sa.select(Subscriber.id)))
        subscription_id = db.session.scalar(sa.select(Subscription.id).where(Subscription.kind == "comments"))
    page = client.get(f"/notifications/manage/{token}").get_data(as_text=True)
    assert "New comments on “On Drifting”" in page and "New posts on" in page
    post_form(client, f"/notifications/manage/{token}", {"action": "remove", "subscription_id": subscription_id})
    post_form(client, f"/notifications/manage/{token}", {"action": "save", "daily_digest": "y"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1
        assert db.session.scalar(sa.select(Subscriber.daily_digest)) is True


def test_account_settings_and_defaults(app, client, users, post, inbox, auth):
    auth.login("Ana")
    assert client.get("/notifications/settings").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0  # GET wrote nothing
    post_form(client, "/notifications/settings", {"action": "save", "default_replies": "y", "own_posts": "y"})
    page = client.get(f"/posts/{post}").get_data(as_text=True)
    # The default ticks the box on the form (what the browser then sends), and only that box.
    assert re.search(r'name="notify_replies" type="checkbox" value="y" checked', page)
    assert not re.search(r'name="notify_comments" type="checkbox" value="y" checked', page)
    post_form(client, f"/posts/{post}/comments", {"body": "The box my settings ticked.", "notify_replies": "y"})
    with app.app_context():
        assert db.session.scalar(sa.select(Subscription.kind)) == "replies"
    work(app)
    assert "Confirm" in inbox.to("ana@example.org")[0]["Subject"]  # an account confirms its address once


def test_unticking_a_pre_ticked_box_means_not_for_this_comment(app, client, users, post, inbox, auth):
    auth.login("Ana")
    post_form(client, "/notifications/settings", {"action": "save", "default_replies": "y", "default_comments": "y"})
    post_form(client, f"/posts/{post}/comments", {"body": "Both boxes unticked."})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # no confirmation
    # The next form is ticked again: the settings still hold.
    page = client.get(f"/posts/{post}").get_data(as_text=True)
    assert re.search(r'name="notify_comments" type="checkbox" value="y" checked', page)


def test_a_form_shown_again_keeps_the_boxes_as_they_were_sent(app, client, users, post, auth):
    auth.login("Ana")
    post_form(client, "/notifications/settings", {"action": "save", "default_replies": "y"})
    answer = post_form(client, f"/posts/{post}/comments", {"body": "", "notify_comments": "y"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert re.search(r'name="notify_comments" type="checkbox" value="y" checked', page)
    assert not re.search(r'name="notify_replies" type="checkbox" value="y" checked', page)  # unticked stays so


def test_a_guest_never_sees_a_box_ticked(app, client, users, post, auth):
    auth.login("Ana")
    post_form(client, "/notifications/settings", {"action": "save", "default_replies": "y", "default_comments": "y"})
    assert "checked" in client.get(f"/posts/{post}").get_data(as_text=True)
    auth.logout()
    page = client.get(f"/posts/{post}").get_data(as_text=True)
    assert 'name="notify_replies"' in page and not re.search(r'type="checkbox" value="y" checked', page)


def test_admins_see_the_outbox_and_retry_a_failed_email(app, client, users, post, inbox, auth):
    subscribe_confirmed(app, "Ana", follow=[post])
    inbox.refuse_for_good.add("ana@example.org")
    make_comment(app, post, "Refused.", "reader")
    work(app)
    auth.login("reader")
    assert client.get("/moderation/outbox").status_code == 403
    auth.logout()
    auth.login("admin")
    page = client.get("/moderation/outbox?status=failed").get_data(as_text=True)
    assert "550" in page and "ana@example.org" in page
    with app.app_context():
        message_id = db.session.scalar(sa.select(OutboxMessage.id))
    inbox.refuse_for_good.clear()
    assert post_form(client, f"/moderation/outbox/{message_id}/retry").status_code == 302
    work(app)
    assert len(inbox.to("ana@example.org")) == 1


def test_without_mail_server_each_email_is_an_eml_file(app, client, users, post, tmp_path):
    app.config["MAIL_SERVER"] = None
    app.instance_path = str(tmp_path)
    subscribe_confirmed(app, "Ana", follow=[post])
    make_comment(app, post, "To a file.", "reader")
    work(app)
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    assert "To a file." in __import__("email").message_from_bytes(eml.read_bytes(), policy=__import__("email.policy").policy.default).get_body(("plain",)).get_content()


def test_on_postgresql_workers_share_the_outbox_and_never_send_one_email_twice(app, users, post, inbox):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite runs one worker; several share the outbox on PostgreSQL (FOR UPDATE SKIP LOCKED)")
    import threading

    from community.notifications.messages import Item, notification_message

    with app.app_context():
        now = utcnow()
        db.session.execute(sa.insert(Subscriber), [
            {"email": f"r{n}@example.net", "email_key": f"r{n}@example.net", "confirmed_at": now, "created_at": now}
            for n in range(60)])
        item = Item("Ana replied", "Ana", "Hello.", f"{SITE}/comments/1")
        for subscriber in db.session.scalars(sa.select(Subscriber)).all():
            db.session.add(notification_message(subscriber, "notices", [item], "Ana replied", "all"))
        db.session.commit()

    def one_worker() -> None:
        with app.app_context():
            sender = make_sender(app)
            try:
                from community.notifications.worker import deliver_due
                deliver_due(sender)
            finally:
                sender.close()
                db.session.remove()

    workers = [threading.Thread(target=one_worker) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    received = [message["To"] for message in inbox.messages]
    assert len(received) == 60 and len(set(received)) == 60


def test_a_message_composed_once_for_many_reads_as_one_composed_alone(app):
    """The worker composes a notification once per distinct email (mail.MessageShape) and fills in
    each recipient's address and links: what a mail client reads is what compose_message writes."""
    from email import message_from_string, policy

    from community.mail import MessageShape, compose_message

    subject, mark = "Wren\r\nBcc: evil@example.com replied on “Drift” ünïcode", "\x00link\x00"
    text = f"Hello “there”\n{'x' * 100}\nLink: {mark}\n"
    html = f"<p>hi “x”</p><p><a href=\"{mark}\">{mark}</a></p>"
    link = "https://community.example/notifications/unsubscribe/" + "A" * 120 + "?a=1&b=2"
    headers = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated"}
    with app.app_context():
        shape = MessageShape(subject, text, html, headers=headers)
        raw = shape.for_recipient("wren@example.net", {mark: link}, headers={"List-Unsubscribe": f"<{link}>"})
        alone = compose_message("wren@example.net", subject, text.replace(mark, link),
                                html.replace(mark, link.replace("&", "&amp;")),
                                headers={"List-Unsubscribe": f"<{link}>", **headers})
    assert raw.isascii() and "\r\nBcc:" not in raw
    ours, theirs = (message_from_string(source, policy=policy.default) for source in (raw, alone.as_string()))
    for name in ("From", "To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted", "MIME-Version"):
        assert str(ours[name]) == str(theirs[name]), name
    assert ours["List-Unsubscribe"] == f"<{link}>"  # one token a mail client reads whole
    assert ours["Message-ID"] and ours["Date"] and ours["Message-ID"] != theirs["Message-ID"]
    for kind in ("plain", "html"):
        assert ours.get_body((kind,)).get_content() == theirs.get_body((kind,)).get_content()
    assert ours.get_content_type() == "multipart/alternative"
