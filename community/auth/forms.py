"""The account forms; the rules themselves live in services.accounts and services.passwords."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from community.services.accounts import PASSWORD_MAX, PASSWORD_MIN, USERNAME_HELP, USERNAME_RULE

NEW_PASSWORD_HELP = f"{PASSWORD_MIN} to {PASSWORD_MAX} characters, and not one of the most common passwords."
PASSWORD_LENGTH = f"A password is {PASSWORD_MIN} to {PASSWORD_MAX} characters long."


def new_password_fields(label: str, repeat_label: str) -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition; services.passwords checks the rest (common, your name)."""
    return (
        PasswordField(
            label,
            validators=[DataRequired("Choose a password."), Length(PASSWORD_MIN, PASSWORD_MAX, PASSWORD_LENGTH)],
            description=NEW_PASSWORD_HELP,
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            repeat_label,
            validators=[DataRequired("Repeat the password."), EqualTo("password", "The two passwords differ.")],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired("Choose a username."),
            Regexp(USERNAME_RULE.pattern + "$", message=f"A username is {USERNAME_HELP}."),
        ],
        description=USERNAME_HELP,
    )
    email = EmailField(
        "Email",
        validators=[DataRequired("Give your email address."), Email("That email address is not valid."), Length(max=254)],
        description="Never shown to other readers. We send a link there to choose your password.",
    )
    next = HiddenField()
    submit = SubmitField("Create account")


class ChoosePasswordForm(FlaskForm):
    """The second step of signing up, behind the emailed link."""

    password, confirm = new_password_fields("Password", "Repeat password")
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    login = StringField("Username or email", validators=[DataRequired("Give your username or email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Give your password."), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Remember me")
    next = HiddenField()
    like = HiddenField()  # a guest pressed Like on "p12" or "c345": liked once they are in
    submit = SubmitField("Log in")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Give your current password."), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields("New password", "Repeat the new password")
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    login = StringField(
        "Username or email",
        validators=[DataRequired("Give your username or email."), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField("Send me a link")


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields("New password", "Repeat the new password")
    submit = SubmitField("Set the new password")


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that POST (Log out, Like, Approve)."""
