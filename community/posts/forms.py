"""The essay editor."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from community.services.posts import BODY_MAX, TITLE_MAX


class PostForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("A post needs a title."), Length(max=TITLE_MAX, message=f"A title is at most {TITLE_MAX} characters.")],
    )
    body = TextAreaField(
        "Essay",
        validators=[DataRequired("A post needs some words."), Length(max=BODY_MAX, message=f"A post is at most {BODY_MAX:,} characters.")],
        description="Markdown: **bold**, *italic*, [links](https://…), > quotes, lists, ## headings.",
    )
    publish = BooleanField("Published", description="Unticked, the post is a draft only you and admins can see.")
    comments_closed = BooleanField("Close comments", description="The discussion stays readable; no new comments or replies.")
    preview = SubmitField("Preview")
    save = SubmitField("Save")
