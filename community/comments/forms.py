"""The "Leave a Reply" form; guests also say who they are."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import Optional, Regexp

from community.forms import rule
from community.services.comments import check_body, check_guest_email, check_guest_name, check_website


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Comment",
        validators=[rule(check_body)],
        description="You can use Markdown: **bold**, *italic*, [links](https://…), > quotes, lists, `code`.",
    )
    parent_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,18}$", message="That reply target is not valid.")])


class GuestCommentForm(CommentForm):
    name = StringField("Name", validators=[rule(check_guest_name)])
    email = EmailField("Email", validators=[rule(check_guest_email)], description="Never shown to other readers.")
    website = URLField("Website", validators=[rule(check_website)], description="Optional.")
