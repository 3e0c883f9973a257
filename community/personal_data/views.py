"""/personal-data: download what the site holds about you, or erase it. Signed in: the account.
Signed out: the guest comments under an email address, through a signed link mailed to it.
/moderation/accounts/<id>/erase: an admin erases an account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from community.extensions import db
from community.mail import absolute_url, send_mail
from community.models import User
from community.personal_data.collect import account_data, guest_comments_of, guest_data
from community.personal_data.erase import Erased, erase_account, erase_guest
from community.personal_data.forms import DeleteAccountForm, EraseForm, GuestLinkForm
from community.services import DomainError
from community.services.accounts import authenticate
from community.services.comments import check_guest_email
from community.services.moderation import can_administer

bp = Blueprint("personal_data", __name__)

GUEST_LINK_SALT = "personal-data-guest"
GUEST_LINK_HOURS = 24
LINK_SENT = ("If comments were written under that address, a link to see and erase them is on its way "
             f"to it; it works for {GUEST_LINK_HOURS} hours.")


def _guest_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GUEST_LINK_SALT)


def _email_from(token: str) -> str:
    try:
        return _guest_links().loads(token, max_age=GUEST_LINK_HOURS * 3600)
    except BadData:
        abort(400, f"This link is not valid or has expired (links work for {GUEST_LINK_HOURS} hours); ask for a new one.")


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _download(data: dict, name: str) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


def _erased_message(erased: Erased) -> str:
    return (f"Done: {erased.comments_deleted} comments deleted, {erased.tombstones} left as “This comment was "
            f"deleted.”, {erased.comments_anonymised} kept as “Deleted account”.")


@bp.route("/personal-data", methods=["GET"])
def index():
    if current_user.is_authenticated:
        return _private(Response(render_template("personal_data/account.html", form=DeleteAccountForm())))
    return render_template("personal_data/guest_request.html", form=GuestLinkForm())


@bp.route("/personal-data/download")
@login_required
def download():
    return _download(account_data(current_user), f"{current_user.username}-personal-data.json")


@bp.route("/personal-data/delete", methods=["POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if authenticate(current_user.username, form.password.data or "") is None:
            form.password.errors.append("That is not your password.")
        else:
            try:
                erased = erase_account(current_user, current_user, form.keep_comments.data == "keep")
            except DomainError as error:
                form.keep_comments.errors.append(error.message)
            else:
                db.session.commit()
                logout_user()
                flash("Your account is deleted. " + _erased_message(erased), "success")
                return redirect(url_for("posts.index"))
    db.session.rollback()
    return _private(Response(render_template("personal_data/account.html", form=form), 422))


@bp.route("/personal-data/guest", methods=["POST"])
def guest_request():
    form = GuestLinkForm()
    if form.validate_on_submit():
        try:
            email = check_guest_email(form.email.data)
        except DomainError as error:
            form.email.errors.append(error.message)
        else:
            if db.session.scalar(db.select(db.func.count()).where(guest_comments_of(email))):
                link = absolute_url("personal_data.guest", token=_guest_links().dumps(email))
                body = render_template("personal_data/email/guest_link.txt", link=link, hours=GUEST_LINK_HOURS)
                send_mail(email, f"Your comments on {current_app.config['SITE_NAME']}", body)
            flash(LINK_SENT, "info")  # the same answer whether or not the address commented
            return redirect(url_for("personal_data.index"))
    return render_template("personal_data/guest_request.html", form=form), 422


@bp.route("/personal-data/guest/<token>")
def guest(token: str):
    email = _email_from(token)
    count = db.session.scalar(db.select(db.func.count()).where(guest_comments_of(email)))
    page = render_template("personal_data/guest.html", form=EraseForm(), email=email, count=count, token=token)
    return _private(Response(page))


@bp.route("/personal-data/guest/<token>/download")
def guest_download(token: str):
    return _download(guest_data(_email_from(token)), "comments-personal-data.json")


@bp.route("/personal-data/guest/<token>/delete", methods=["POST"])
def guest_delete(token: str):
    email = _email_from(token)
    form = EraseForm()
    if not form.validate_on_submit():
        count = db.session.scalar(db.select(db.func.count()).where(guest_comments_of(email)))
        page = render_template("personal_data/guest.html", form=form, email=email, count=count, token=token)
        return _private(Response(page, 422))
    erased = erase_guest(email, form.keep_comments.data == "keep")
    db.session.commit()
    flash(_erased_message(erased), "success")
    return redirect(url_for("posts.index"))


@bp.route("/moderation/accounts/<int:account_id>/erase", methods=["POST"])
@login_required
def admin_erase(account_id: int):
    if not can_administer(current_user):
        abort(403)
    account = db.session.get(User, account_id)
    if account is None:
        abort(404)
    if account.id == current_user.id:
        flash("Erase your own account from “Your data”, with your password.", "error")
        return redirect(url_for("moderation.account_detail", account_id=account_id))
    form = EraseForm()
    if form.validate_on_submit():
        try:
            erased = erase_account(current_user, account, form.keep_comments.data == "keep")
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("The account is erased. " + _erased_message(erased), "success")
            return redirect(url_for("moderation.accounts"))
    return redirect(url_for("moderation.account_detail", account_id=account_id))
