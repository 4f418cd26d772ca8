"""Flask-WTF forms: the shape of each form plus CSRF; services do the validating and saving."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import NumberInput

from forum.models import Role


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
    kind = SelectField("Kind", choices=[SelectChoice("question", "Question"), SelectChoice("discussion", "Discussion")])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Details", validators=[DataRequired()])
    tags = StringField("Tags (comma separated, up to 5)", validators=[Length(max=200)])
    # "1" once the asker has seen similar solved questions (the no-JS step, or similar.js): post without asking again.
    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"


class ThreadEditForm(FlaskForm):
    """What a thread's author may change."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    tags = StringField("Tags (comma separated, up to 5)", validators=[Length(max=200)])


class ThreadModerationForm(ThreadEditForm):
    """What a moderator may change besides title and tags."""

    category_id = SelectField("Category", coerce=int, validators=[DataRequired()])
    locked = BooleanField("Locked: no new replies from members")
    pinned = BooleanField("Pinned at the top of its category")


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[DataRequired()])


class EditPostForm(FlaskForm):
    body = TextAreaField("Post", validators=[DataRequired()])


class NeedsInfoForm(FlaskForm):
    """Advocates and staff ask the asker for details; the service checks the note."""

    note = TextAreaField("What information is missing?")


RATING_LABELS = ("1 – poor", "2", "3", "4", "5 – excellent")


class FeedbackForm(FlaskForm):
    """"Did this resolve your issue?"; choices are checked by the service, so its message shows."""

    resolved = RadioField(
        "Your answer", choices=[SelectChoice("yes", "Yes, it's resolved"), SelectChoice("no", "No, not yet")],
        validate_choice=False,
    )
    rating = RadioField(
        "How would you rate the help you got? (optional)",
        choices=[SelectChoice(str(n), label) for n, label in enumerate(RATING_LABELS, start=1)],
        validate_choice=False,
    )
    comment = TextAreaField("Anything you'd like to add? (optional)", render_kw={"rows": 3, "class": "textarea-short"})


class NotificationSettingsForm(FlaskForm):
    email_frequency = RadioField(
        "Email me about my notifications",
        choices=[
            SelectChoice("immediately", "Immediately, one email each"),
            SelectChoice("daily", "In a daily digest"),
            SelectChoice("off", "Never: I'll check the site"),
        ],
        validate_choice=False,
    )
    weekly_digest = BooleanField("Send me a weekly email of unanswered questions in what I follow")


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that change state."""


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    slug = StringField("Slug (used in the address)", validators=[DataRequired(), Length(max=64)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    position = IntegerField("Position (lower comes first)", default=0, validators=[InputRequired()])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role.value, role.value.title()) for role in Role])


class SettingsFormBase(FlaskForm):
    """Base of the generated community settings form: one number field per setting key."""


def settings_form_class(specs: Iterable[tuple[str, str]]) -> type[SettingsFormBase]:
    """A form class with a number input for each (key, description); keys become field names."""
    fields = {
        key: StringField(key, description=description, widget=NumberInput(step="any"), validators=[InputRequired()])
        for key, description in specs
    }
    return type("SettingsForm", (SettingsFormBase,), fields)
