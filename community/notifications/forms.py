"""The notification forms: follow a discussion, and the settings of an account or an address."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField
from wtforms.validators import Optional

from community.forms import rule
from community.services.comments import check_guest_email


class GuestFollowForm(FlaskForm):
    email = EmailField("Email", validators=[rule(check_guest_email)],
                       description="We send a link to confirm; your address is never shown.")


class SettingsForm(FlaskForm):
    daily_digest = BooleanField("Send one daily digest instead of an email per discussion")


class AccountSettingsForm(SettingsForm):
    own_posts = BooleanField("Email me about new comments on my own posts")
    moderation = BooleanField("Email me when comments await moderation (moderators)")
    default_replies = BooleanField("Tick “Notify me of replies to my comment” on the comment form")
    default_comments = BooleanField("Tick “Notify me of new comments” on the comment form")


class RemoveForm(FlaskForm):
    subscription_id = HiddenField(validators=[Optional()])
