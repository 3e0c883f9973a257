"""The account settings forms; their rules live in people.rules. Field ids are their own, so the
three forms share one page without sharing an id."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from community.forms import rule
from community.people.rules import BIO_MAX, check_bio, check_display_name
from community.services.passwords import PASSWORD_MAX


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[rule(check_display_name)],
        description="Shown beside your comments and posts instead of your username. Leave it empty to use your username.",
        render_kw={"autocomplete": "nickname"},
    )
    bio = TextAreaField(
        "About you", validators=[rule(check_bio)],
        description=f"A few lines on your page, in Markdown; at most {BIO_MAX:,} characters.",
    )
    submit = SubmitField("Save profile")


class EmailChangeForm(FlaskForm):
    email = EmailField(
        "New email address", id="new-email",
        validators=[DataRequired("Give the new address."), Email("That email address is not valid."), Length(max=254)],
        description="We send a link to it; your address changes when you follow the link.",
        render_kw={"autocomplete": "email"},
    )
    current_password = PasswordField(
        "Your password", id="email-current-password",
        validators=[DataRequired("Give your current password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Send a confirmation link")
