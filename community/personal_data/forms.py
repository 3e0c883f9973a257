"""The forms of the personal data pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

COMMENT_CHOICES = [
    SelectChoice("delete", "Delete the comments (where someone replied, “This comment was deleted.” stays so the thread still reads)"),
    SelectChoice("keep", "Keep the comments, shown as written by “Deleted account”"),
]


class EraseForm(FlaskForm):
    """A guest's erasure (the link proved the address) and an admin's erasure of an account."""

    keep_comments = RadioField("What happens to the comments?", choices=COMMENT_CHOICES, default="delete",
                               validators=[InputRequired("Please choose what happens to the comments.")])


class DeleteAccountForm(EraseForm):
    password = PasswordField("Your password, to confirm",
                             validators=[InputRequired("Please give your password to confirm.")])


class GuestLinkForm(FlaskForm):
    email = StringField("Email address", validators=[InputRequired("Please give the address you commented with.")])
