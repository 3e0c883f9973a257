"""Register, log in and log out; pages that need an account send people here and back."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from community.auth.forms import LoginForm, RegisterForm
from community.extensions import db
from community.services import DomainError
from community.services.accounts import authenticate, create_account

bp = Blueprint("auth", __name__, url_prefix="/auth")

WRONG_CREDENTIALS = "That username or email and password do not match an account."


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
            user = create_account(form.username.data, form.email.data, form.password.data)
        except DomainError as error:
            getattr(form, error.field or "username").errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.username}! Your account is ready.", "success")
            return redirect(_back_to(form.next.data))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
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
            return redirect(_back_to(form.next.data))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()  # CSRFProtect has already checked the token of this POST
    flash("You are logged out.", "info")
    return redirect(url_for("posts.index"))
