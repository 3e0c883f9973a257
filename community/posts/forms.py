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
    comments_closed = BooleanField("Close comments", description="The discussion stays readable; no new comments or replies.")
    # What the author means is the button they press: a draft is saved, or the post published;
    # a published post is updated, or withdrawn to a draft. Nothing is published by a default.
    preview = SubmitField("Preview")
    save_draft = SubmitField("Save draft")
    publish = SubmitField("Publish")
    update = SubmitField("Update")
    unpublish = SubmitField("Unpublish")
    save = SubmitField("Save")  # the post keeps the status `publish` says (scripts and older forms)

    @property
    def wants_published(self) -> bool:
        return bool(self.publish.data or self.update.data) and not (self.unpublish.data or self.save_draft.data)
