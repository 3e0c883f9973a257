"""The "Leave a Reply" form, and the forms to edit, delete and report a comment."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField, URLField
from wtforms.validators import Optional

from community.forms import rule
from community.models import ReportReason
from community.routing import parse_id
from community.services import DomainError
from community.services.comments import check_body, check_guest_email, check_guest_name, check_website

BODY_HELP = "You can use Markdown: **bold**, *italic*, [links](https://…), > quotes, lists, `code`."


def check_reply_id(raw: str | None) -> int:
    comment_id = parse_id(raw)
    if comment_id is None:  # the page's own form never sends this
        raise DomainError("That reply target is not valid.")
    return comment_id


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[rule(check_body)], description=BODY_HELP)
    parent_id = HiddenField(validators=[Optional(), rule(check_reply_id)])
    # Email notifications (community.notifications): unticked, unless an account's settings tick
    # the first two on its form (community.discussion.page).
    notify_replies = BooleanField("Notify me of replies to my comment")
    notify_comments = BooleanField("Notify me of new comments via email.")
    notify_posts = BooleanField("Notify me of new posts via email.")


class GuestCommentForm(CommentForm):
    name = StringField("Name", validators=[rule(check_guest_name)])
    email = EmailField("Email", validators=[rule(check_guest_email)], description="Never shown to other readers.")
    website = URLField("Website", validators=[rule(check_website)], description="Optional.")
    # WordPress's opt-in, unticked by default: the three fields kept in a cookie of this browser
    # (comments.guest_browser.remember_details) and filled in by the page's script next time.
    save_details = BooleanField("Save my name, email, and website in this browser for the next time I comment.")


class EditCommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[rule(check_body)], description=BODY_HELP)


class ReportForm(FlaskForm):
    reason = RadioField(
        "Why should a moderator look at this comment?",
        choices=[
            SelectChoice(ReportReason.SPAM.value, "It is spam or advertising"),
            SelectChoice(ReportReason.HARASSMENT.value, "It harasses or attacks someone"),
            SelectChoice(ReportReason.OFF_TOPIC.value, "It is off-topic"),
            SelectChoice(ReportReason.OTHER.value, "Something else"),
        ],
        validate_choice=False,  # the service says what is wrong, next to the field
    )
    details = TextAreaField("Anything the moderators should know?", description="Needed for “Something else”; at most 500 characters.")
