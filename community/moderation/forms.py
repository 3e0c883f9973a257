"""Forms of the moderation pages."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from community.forms import rule
from community.models import Role
from community.services.comments import check_body
from community.services.settings import check_address_list, check_email_list
from community.spam.features import check_domain_list

# "Suspend for …": days, or "forever" until a moderator lifts it.
SUSPENSION_LENGTHS = {"1": "1 day", "3": "3 days", "7": "a week", "30": "30 days", "365": "a year", "forever": "good (until lifted)"}
ONE_PER_LINE = "One a line; matched as whole words, ignoring case."


class SettingsForm(FlaskForm):
    hold_all_comments = BooleanField("Hold every comment for moderation")
    hold_first_comment = BooleanField(
        "Hold a comment unless its author already has an approved one",
        description="Guests are recognised by their email address.",
    )
    max_links = IntegerField(
        "Hold a comment with more links than", validators=[InputRequired("Give a number."), NumberRange(0, 100, "From 0 to 100.")]
    )
    flood_seconds = IntegerField(
        "Seconds one account or address must wait between comments",
        validators=[InputRequired("Give a number."), NumberRange(0, 3600, "From 0 to 3600.")],
        description="Moderators are exempt. 0 turns flood control off.",
    )
    close_after_days = IntegerField(
        "Close comments on posts older than (days)",
        validators=[InputRequired("Give a number."), NumberRange(0, 36500, "From 0 to 36500.")],
        description="0 keeps discussions open for ever.",
    )
    moderation_words = TextAreaField("Hold comments containing", description=ONE_PER_LINE, validators=[Length(max=20_000)])
    disallowed_words = TextAreaField("Send to spam comments containing", description=ONE_PER_LINE, validators=[Length(max=20_000)])
    blocked_emails = TextAreaField(
        "Blocked email addresses", description="One address or @domain a line; their comments go to spam.",
        validators=[Length(max=20_000), rule(check_email_list)],
    )
    blocked_addresses = TextAreaField(
        "Blocked IP addresses and networks", description="One address or network (203.0.113.0/24) a line; their comments go to spam.",
        validators=[Length(max=20_000), rule(check_address_list)],
    )
    # The spam filter (community.spam); a number left out keeps its value.
    blocked_domains = TextAreaField(
        "Blocked link domains", validators=[Length(max=20_000), rule(check_domain_list)],
        description="One domain a line (example.com blocks its subdomains too); a comment linking there, or giving it as its website, goes to spam.",
    )
    chatbot_phrases = TextAreaField(
        "Phrases a pasted chatbot answer leaves", validators=[Length(max=20_000)],
        description="One a line; case and punctuation are ignored. A comment containing one is held, never sent to spam.",
    )
    spam_threshold = FloatField(
        "Send to spam at a learned score of at least", validators=[Optional(), NumberRange(0.5, 1, "From 0.5 to 1.")],
        description="0 is surely good, 1 surely spam; SpamBayes sends to spam at 0.9.",
    )
    spam_hold_threshold = FloatField(
        "Hold at a learned score of at least", validators=[Optional(), NumberRange(0, 1, "From 0 to 1.")],
        description="At most the spam score; scores in between wait in the queue.",
    )
    spam_min_decisions = IntegerField(
        "Decisions of each kind before the filter may send to spam",
        validators=[Optional(), NumberRange(0, 1_000_000, "From 0 to 1,000,000.")],
        description="Until the filter has learned this many spam and this many good comments, it only holds.",
    )
    min_fill_seconds = IntegerField(
        "Hold a comment sent sooner than this many seconds after its form was drawn",
        validators=[Optional(), NumberRange(0, 600, "From 0 to 600.")],
    )


class SuspendForm(FlaskForm):
    days = SelectField(
        "Suspend for",
        choices=[SelectChoice(value, label) for value, label in SUSPENSION_LENGTHS.items()],
        default="7",
    )
    reason = TextAreaField("Reason, shown to the person", validators=[Length(max=500, message="At most 500 characters.")])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.value.capitalize()) for role in Role])


class ModeratorEditForm(FlaskForm):
    body = TextAreaField("Comment", validators=[rule(check_body)])
    reason = StringField("Why (for the log)", validators=[Length(max=500)])
