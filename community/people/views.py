"""A person's page (/people/<username>) and one's own account settings (/account): profile, email
(confirmed from the new address) and password, each its own form on the one page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from community.auth.forms import ChangePasswordForm
from community.auth.views import private
from community.extensions import db
from community.forms import show_domain_error
from community.mail import absolute_url, send_mail
from community.people import rules
from community.people.forms import EmailChangeForm, ProfileForm
from community.routing import page_number
from community.services import DomainError
from community.services.accounts import check_email

bp = Blueprint("people", __name__)

COMMENTS_PER_PAGE = 20


@bp.route("/people/<username>")
def profile(username: str):
    person = rules.find_person(username)
    if person is None:
        abort(404, "There is no one by that name here.")
    page = page_number(COMMENTS_PER_PAGE)
    shown = rules.person_page(person, page, COMMENTS_PER_PAGE)
    if page > 1 and not shown.comments:
        abort(404, "There is no such page.")
    return render_template("people/profile.html", shown=shown)


def settings_page(profile_form=None, email_form=None, password_form=None, status: int = 200):
    user = current_user._get_current_object()
    if profile_form is None:
        profile_form = ProfileForm(formdata=None, display_name=user.display_name or "", bio=user.bio_markdown)
    page = render_template(
        "people/settings.html", profile_form=profile_form,
        email_form=email_form or EmailChangeForm(formdata=None),
        password_form=password_form or ChangePasswordForm(formdata=None),
    )
    return page, status


@bp.route("/account")
@login_required
def settings():
    return settings_page()


@bp.route("/account/profile", methods=["POST"])
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            rules.update_profile(current_user._get_current_object(), form.display_name.data, form.bio.data)
        except DomainError as error:
            return settings_page(profile_form=form, status=show_domain_error(form, error, "display_name"))
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("people.settings"))
    return settings_page(profile_form=form, status=422)


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            token = rules.request_email_change(user, form.email.data, form.current_password.data)
        except DomainError as error:
            return settings_page(email_form=form, status=show_domain_error(form, error, "email"))
        new_email = check_email(form.email.data)
        body = render_template("people/email/confirm_email.txt", user=user, new_email=new_email,
                               link=absolute_url("people.confirm_email", token=token), days=rules.EMAIL_CHANGE_MAX_AGE // 86400)
        send_mail(new_email, f"Confirm your new email address for {current_app.config['SITE_NAME']}", body)
        flash(f"We have sent a link to {new_email}. Your address changes when you follow it; until then "
              "it stays as it is.", "info")
        return redirect(url_for("people.settings"))
    return settings_page(email_form=form, status=422)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link from the new address: a page with a button (nothing changes on GET), then the change."""
    try:
        account, new_email = rules.email_change_for_token(token)
        if request.method == "POST":
            account, old_email = rules.confirm_email_change(token)
    except DomainError as error:
        db.session.rollback()
        return private(render_template("people/confirm_email.html", problem=error.message), 400)
    if request.method == "GET":
        return private(render_template("people/confirm_email.html", problem=None, account=account, new_email=new_email), 200)
    db.session.commit()
    body = render_template("people/email/email_changed.txt", user=account, new_email=new_email)
    send_mail(old_email, f"Your email address at {current_app.config['SITE_NAME']} was changed", body)
    flash(f"Your email address is now {new_email}.", "success")
    return redirect(url_for("people.settings") if current_user.is_authenticated else url_for("auth.login"))

