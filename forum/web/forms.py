"""Flask-WTF forms: the shape of each form plus CSRF; services do the validating and saving."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")


class RegisterForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=32)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)])


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[Length(max=64)])
    bio = TextAreaField("About you", validators=[Length(max=2000)])
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])


class ThreadForm(FlaskForm):
    category_id = SelectField("Category", coerce=int, validators=[DataRequired()])
    kind = SelectField("Kind", choices=[("question", "Question"), ("discussion", "Discussion")])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Details", validators=[DataRequired()])
    tags = StringField("Tags (comma separated, up to 5)", validators=[Length(max=200)])


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[DataRequired()])


class EditPostForm(FlaskForm):
    body = TextAreaField("Post", validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that change state."""
