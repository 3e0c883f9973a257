"""Sign up (a username and email, then a password behind the emailed link), log in and log out
(everywhere); change a password, or reset a forgotten one by an emailed link. Pages that need an
account send people here and back."""

from __future__ import annotations

import unicodedata
from functools import partial
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from community.auth.forms import (
    ChangePasswordForm, ChoosePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm,
)
from community.extensions import db
from community.forms import show_domain_error
from community.mail import absolute_url, build_message, send_mail
from community.models import User
from community.ratelimits import forms_again, spend_if_allowed
from community.security import remembered
from community.services import DomainError
from community.services import passwords
from community.services import signup as signup_rules
from community.services.likes import like_after_login, like_target
from community.services.accounts import authenticate, find_by_login
from community.services.sessions import end_all_sessions

bp = Blueprint("auth", __name__, url_prefix="/auth")

WRONG_CREDENTIALS = "That username or email and password do not match an account."
# The one answer to a reset request, whether or not an account matches what was typed.
RESET_LINK_SENT = ("If that is the username or email of an account, we have sent its email address a link "
                   f"to choose a new password. The link works once, within {passwords.RESET_MAX_AGE // 60} minutes.")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return None
    return target


def _back_to(form_next: str | None) -> str:
    return safe_next(form_next) or url_for("posts.index")


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("posts.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            signup, holder = signup_rules.start_signup(form.username.data, form.email.data, safe_next(form.next.data))
        except DomainError as error:
            show_domain_error(form, error, "username")
        else:
            send_signup_email(signup, holder)
            page = render_template("auth/register_sent.html", email=signup.email,
                                   hours=signup_rules.SIGNUP_MAX_AGE // 3600)
            return page, 200, {"Cache-Control": "no-store"}
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def send_signup_email(signup: signup_rules.Signup, holder: User | None) -> None:
    """Mail the sign-up link to a new address, or tell the owner of a taken one that someone tried.
    Both paths sign a token, render an email and make a message, so the answer's timing does not
    tell them apart; at most a few go to one address (RATELIMIT_SIGNUP_EMAILS), the rest are made
    and dropped, and the page says the same either way."""
    site = current_app.config["SITE_NAME"]
    token = signup_rules.signup_token(signup)
    if holder is None:
        to, subject = signup.email, f"Finish creating your account at {site}"
        body = render_template("auth/email/signup.txt", signup=signup, hours=signup_rules.SIGNUP_MAX_AGE // 3600,
                               link=absolute_url("auth.confirm_signup", token=token))
    else:
        to, subject = holder.email, f"Someone tried to create an account with your address at {site}"
        body = render_template("auth/email/signup_taken.txt", user=holder, login_link=absolute_url("auth.login"),
                               reset_link=absolute_url("auth.forgot_password"))
    if not spend_if_allowed("RATELIMIT_SIGNUP_EMAILS", unicodedata.normalize("NFKC", to).casefold()):
        build_message(to, subject, body)  # as send_mail would, then nothing goes out
        return
    send_mail(to, subject, body)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """The emailed link: choose a password, and the account is made, signed in and sent on."""
    if current_user.is_authenticated:
        return redirect(url_for("posts.index"))
    try:
        signup = signup_rules.signup_for_token(token)
    except DomainError as error:
        return _bad_signup_link(error)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user, signup = signup_rules.finish_signup(token, form.password.data)
        except DomainError as error:
            if error.field is None:  # taken meanwhile, by a request at the same moment
                return _bad_signup_link(error)
            show_domain_error(form, error, "password")
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.username}! Your account is ready.", "success")
            return redirect(_back_to(signup.next))
    page = render_template("auth/confirm_signup.html", form=form, signup=signup, problem=None)
    return private(page, 422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        form.like.data = like_target(request.args.get("like"))
        if current_user.is_authenticated:
            return redirect(_back_to(form.next.data))
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is None:
            form.password.errors.append(WRONG_CREDENTIALS)
        else:
            db.session.commit()  # a re-hashed password, if the parameters changed
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.username}.", "success")
            if like_target(form.like.data) and like_after_login(user, form.like.data):
                db.session.commit()
                flash("You liked it.", "success")
            return redirect(_back_to(form.next.data))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # CSRFProtect has already checked the token of this POST.
    end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("You are logged out, here and on every other device where your account was signed in.", "info")
    return redirect(url_for("posts.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            passwords.change_password(user, form.current_password.data, form.password.data)
        except DomainError as error:
            show_domain_error(form, error, "password")
        else:
            db.session.commit()
            login_user(user, remember=remembered())  # this session (and its cookie) carry the new version
            flash("Your password is changed. You are still signed in here; every other session of "
                  "your account has ended.", "success")
            return redirect(url_for("posts.index"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        send_reset_link(find_by_login(form.login.data))
        flash(RESET_LINK_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


def send_reset_link(user: User | None) -> None:
    """Mail `user` a reset link. Without an account the same work is done (a token signed, the email
    written and made a message) for a stand-in and only the sending is left out, so the answer's
    timing does not tell whether an account matched."""
    account = user or User(id=0, username="nobody", email="nobody@invalid", password_hash=passwords.hasher()[1],
                           session_version=0)
    token = passwords.reset_token(account)
    link = absolute_url("auth.reset_password", token=token)
    minutes = passwords.RESET_MAX_AGE // 60
    body = render_template("auth/email/reset_password.txt", user=account, link=link, minutes=minutes)
    subject = f"Choose a new password for {current_app.config['SITE_NAME']}"
    if user is None:
        build_message(account.email, subject, body)  # as send_mail would, then nothing goes out
        return
    send_mail(account.email, subject, body)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        account = passwords.account_for_reset_token(token)
    except DomainError as error:
        return private(render_template("auth/reset_password.html", form=None, problem=error.message), 400)
    if form.validate_on_submit():
        try:
            passwords.reset_password(token, form.password.data)
        except DomainError as error:
            show_domain_error(form, error, "password")
        else:
            db.session.commit()
            if current_user.is_authenticated and current_user.id == account.id:
                logout_user()  # this session ended with the others
            flash("Your password is changed, and every session of your account has ended. "
                  "Log in with the new password.", "success")
            return redirect(url_for("auth.login"))
    page = render_template("auth/reset_password.html", form=form, account=account, problem=None)
    return private(page, 422 if form.errors else 200)


def _bad_signup_link(error: DomainError):
    return private(render_template("auth/confirm_signup.html", form=None, problem=error.message), error.status)


def private(page: str, status: int):
    """A page whose address holds a secret: never cached, never sent on as a referrer."""
    return page, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


# --- Over a rate limit: the form again, with the refusal at its field ---------------------------


def _account_form_again(form_class, template: str, field: str, message: str) -> str:
    """An account form filled from the request: it keeps the names typed, and a password field is
    never printed back."""
    form = form_class()
    getattr(form, field).errors = [message]
    return render_template(template, form=form)


bp.register_error_handler(RateLimitExceeded, forms_again({
    "auth.login": ("login", partial(_account_form_again, LoginForm, "auth/login.html")),
    "auth.register": ("username", partial(_account_form_again, RegisterForm, "auth/register.html")),
    "auth.forgot_password": ("login", partial(_account_form_again, ForgotPasswordForm, "auth/forgot_password.html")),
    "auth.change_password": ("current_password",
                             partial(_account_form_again, ChangePasswordForm, "auth/change_password.html")),
}))
