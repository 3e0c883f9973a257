"""The account forms; the rules themselves live in services.accounts."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from community.services.accounts import PASSWORD_MAX, PASSWORD_MIN, USERNAME_HELP, USERNAME_RULE


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
        description="Never shown to other readers.",
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(PASSWORD_MIN, PASSWORD_MAX, f"A password is {PASSWORD_MIN} to {PASSWORD_MAX} characters long."),
        ],
        description=f"{PASSWORD_MIN} to {PASSWORD_MAX} characters.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired("Repeat your password."), EqualTo("password", "The two passwords differ.")],
    )
    next = HiddenField()
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    login = StringField("Username or email", validators=[DataRequired("Give your username or email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Give your password."), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Remember me")
    next = HiddenField()
    submit = SubmitField("Log in")


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that POST (Log out, Like, Approve)."""
