"""Notification pages: follow a discussion, confirm an address, manage and unsubscribe by signed
link (no account needed), an account's settings, and the admins' view of the outbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from community.extensions import csrf, db
from community.models import MessageStatus, OutboxMessage, Subscriber
from community.models.base import utcnow
from community.notifications import subscriptions as rules
from community.notifications.forms import AccountSettingsForm, GuestFollowForm, RemoveForm, SettingsForm
from community.notifications.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, BadLink, read_token
from community.posts.page import get_visible_post
from community.routing import parse_id
from community.services import DomainError
from community.services.moderation import can_administer

bp = Blueprint("notifications", __name__)
OUTBOX_PAGE = 100


def _subscriber_from(purpose: str, token: str) -> tuple[Subscriber, str]:
    """The subscriber a link names, or a clear page saying the link is not valid or has expired."""
    try:
        subscriber_id, scope = read_token(purpose, token)
    except BadLink as error:
        abort(400, error.message)
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        abort(400, "This link has expired: the subscription it was for no longer exists.")
    return subscriber, scope


@bp.route("/posts/<slug>/follow", methods=["POST"])
def follow(slug: str):
    """"Follow this discussion": one click for accounts, an email address for guests."""
    post = get_visible_post(slug)
    back = url_for("posts.detail", slug=post.slug, _anchor="follow")
    form = GuestFollowForm()
    if not current_user.is_authenticated and not form.validate_on_submit():
        flash(" ".join(form.email.errors) or "Please give your email address.", "error")
        return redirect(back)
    try:
        if current_user.is_authenticated:
            needs_confirmation = rules.follow_post(post, current_user)
        else:
            needs_confirmation = rules.follow_post(post, None, form.email.data)
    except DomainError as error:
        if error.field is None:
            abort(error.status, error.message)
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    flash(rules.CHECK_INBOX if needs_confirmation else "You are following this discussion.", "success")
    return redirect(back)


@bp.route("/notifications/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The confirmation link: GET shows a button (link scanners fetch GETs), POST confirms."""
    subscriber, _scope = _subscriber_from(CONFIRM, token)
    if request.method == "POST":
        rules.confirm(subscriber)
        db.session.commit()
        flash("Your address is confirmed: the emails you asked for will come.", "success")
        return redirect(url_for("notifications.manage", token=_manage_token(subscriber)))
    return render_template("notifications/confirm.html", confirmed=subscriber.confirmed_at is not None)


def _manage_token(subscriber: Subscriber) -> str:
    from community.notifications.tokens import make_token

    return make_token(MANAGE, subscriber.id)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no token of ours
def unsubscribe(token: str):
    subscriber, scope = _subscriber_from(UNSUBSCRIBE, token)
    stops = rules.describe_scope(scope)
    if request.method == "POST":
        try:
            rules.unsubscribe(subscriber, scope)
        except DomainError as error:
            abort(400, error.message)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", stops=stops,
                               manage=url_for("notifications.manage", token=_manage_token(subscriber)))
    return render_template("notifications/unsubscribe.html", stops=stops)


@bp.route("/notifications/manage/<token>", methods=["GET", "POST"])
def manage(token: str):
    """Every subscription of an address, from the signed link in each email; no account needed."""
    subscriber, _scope = _subscriber_from(MANAGE, token)
    return _manage_page(subscriber, SettingsForm(obj=subscriber) if request.method == "GET" else SettingsForm(),
                        url_for("notifications.manage", token=token))


def _manage_page(subscriber: Subscriber, form: SettingsForm, here: str, subscriptions=None):
    status = 200
    if request.method == "POST":
        remove = RemoveForm()
        if remove.validate_on_submit() and request.form.get("action") == "remove":
            subscription_id = parse_id(remove.subscription_id.data)
            try:
                rules.remove_subscription(subscriber, subscription_id or 0)
            except DomainError as error:
                abort(error.status, error.message)
            db.session.commit()
            flash("Unsubscribed.", "success")
            return redirect(here)
        if request.form.get("action") == "stop-all" and remove.validate_on_submit():
            rules.unsubscribe(subscriber, rules.ALL)
            db.session.commit()
            flash("You will get no more email from us at this address.", "success")
            return redirect(here)
        if form.validate_on_submit():
            extra = {name: getattr(form, name).data for name in
                     ("own_posts", "moderation", "default_replies", "default_comments") if hasattr(form, name)}
            rules.save_settings(subscriber, daily_digest=form.daily_digest.data, **extra)
            db.session.commit()
            flash("Your email settings are saved.", "success")
            return redirect(here)
        status = 400
    return render_template("notifications/manage.html", subscriber=subscriber, form=form,
                           subscriptions=rules.subscriptions_of(subscriber) if subscriptions is None else subscriptions, here=here,
                           remove=RemoveForm()), status


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    """An account's email settings and subscriptions; unconfirmed addresses can ask for the link."""
    if request.method == "GET":
        subscriber = rules.existing_subscriber(current_user) or rules.unsaved_subscriber(current_user)
    else:
        subscriber = rules.subscriber_of(current_user)
    if request.method == "POST" and request.form.get("action") == "confirm":
        if RemoveForm().validate_on_submit():
            rules.ask_for_confirmation(subscriber)
            db.session.commit()
            flash(rules.CHECK_INBOX, "info")
            return redirect(url_for("notifications.settings"))
    form = AccountSettingsForm(obj=subscriber) if request.method == "GET" else AccountSettingsForm()
    subscriptions = rules.subscriptions_of(subscriber) if subscriber.id else []
    return _manage_page(subscriber, form, url_for("notifications.settings"), subscriptions)


@bp.route("/moderation/outbox")
@login_required
def outbox():
    """The admins' view: queued, sent and failed emails with the server's answer, newest first."""
    if not can_administer(current_user):
        abort(403)
    status = request.args.get("status", MessageStatus.QUEUED)
    if status not in tuple(MessageStatus):
        status = MessageStatus.QUEUED
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == status)
                                  .order_by(OutboxMessage.id.desc()).limit(OUTBOX_PAGE)).all()
    counts = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                     .group_by(OutboxMessage.status)).all())
    bouncing = db.session.scalars(sa.select(Subscriber).where(Subscriber.hard_bounces > 0)
                                  .order_by(Subscriber.hard_bounces.desc()).limit(OUTBOX_PAGE)).all()
    return render_template("notifications/outbox.html", messages=messages, status=status, counts=counts,
                           statuses=list(MessageStatus), bouncing=bouncing)


@bp.route("/moderation/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(message_id: int):
    """Queue a failed email again, to be sent at once."""
    if not can_administer(current_user):
        abort(403)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if message.status != MessageStatus.FAILED:
        flash("Only a failed email can be tried again.", "error")
        return redirect(url_for("notifications.outbox", status=message.status))
    message.status, message.next_attempt_at, message.created_at = MessageStatus.QUEUED, utcnow(), utcnow()
    db.session.commit()
    flash("The email is queued again.", "success")
    return redirect(url_for("notifications.outbox", status=MessageStatus.FAILED))
