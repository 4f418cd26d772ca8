"""Flask-WTF forms: the shape of each form plus CSRF; services do the validating and saving."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    Field,
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

from forum.accounts import signup_defences
from forum.cases import DAY_NAMES, DAYS
from forum.core.errors import Invalid
from forum.core.i18n import _, _l
from forum.http.forms import FlaskForm, show_errors
from forum.models import CategoryKind, Role
from forum.writing import edit_history


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    """Sign-up, guarded like CSRF by checks of the form itself (forum.accounts.signup_defences).

    website is the honeypot: rendered out of sight, people leave it empty and form-filling programs do
    not. shown is the signed moment the page was shown, so a form sent back faster than a person
    types is refused. Their refusals are messages for the whole form (the fields are hidden).
    """

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=32)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    website = StringField(_l("Website (leave this empty)"))
    shown = HiddenField(default=signup_defences.issue_stamp)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.honeypot = signup_defences.honeypot_enabled()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        try:
            signup_defences.check_form(signup_defences.SignupForm(self.website.data or "", self.shown.data or ""))
        except Invalid as exc:
            show_errors(self, exc)
            valid = False
        if not valid:  # the page comes back: a person's next try must be able to pass
            self.website.data = ""
            self.shown.data = signup_defences.stamp_to_keep(self.shown.data or "")
        return valid


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Length(max=64)])
    bio = TextAreaField(_l("About you"), validators=[Length(max=2000)])
    time_zone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    # choices are set per request (in the reader's language); the service refuses anything else
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    theme = SelectField(_l("Theme"), choices=[], validate_choice=False)


def _reason_field() -> TextAreaField:
    """A moderator's reason for changing someone else's post; the service says when one is required."""
    return TextAreaField(_l("Reason"), validators=[Length(max=edit_history.MAX_REASON)],
                         render_kw={"rows": 2, "class": "textarea-short"})


class CheckedWriteForm(FlaskForm):
    """A form whose text meets the ask page's checks once (forum.services.write_checks) before it is saved.

    confirmed is "1" once the writer has seen the similar solved questions (the no-JS step, or
    similar.js); personal_data is the personal-data warning's answer, sent by its buttons (never
    rendered as a field): "public" posts as written, "private" sends the details to the support team.
    similar holds the solved questions the view shows before saving.
    """

    confirmed = HiddenField()
    personal_data = StringField()
    similar: Iterable = ()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "1"


class ThreadForm(CheckedWriteForm):
    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("question", _l("Question")),
                                            SelectChoice("discussion", _l("Discussion"))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Details"), validators=[DataRequired()])
    tags = StringField(_l("Tags (comma separated, up to 5)"), validators=[Length(max=200)])


class ThreadEditForm(CheckedWriteForm):
    """What a thread's author may change."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    tags = StringField(_l("Tags (comma separated, up to 5)"), validators=[Length(max=200)])


class ThreadModerationForm(ThreadEditForm):
    """What a moderator may change besides title and tags."""

    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    locked = BooleanField(_l("Locked: no new replies from members"))
    pinned = BooleanField(_l("Pinned at the top of its category"))
    reason = _reason_field()


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired()])
    personal_data = StringField()  # as on ThreadForm: the personal-data warning's answer


class EditPostForm(CheckedWriteForm):
    body = TextAreaField(_l("Post"), validators=[DataRequired()])
    reason = _reason_field()


class DeletePostForm(FlaskForm):
    """Deleting a post; the reason field is shown (and required by the service) when a moderator deletes another's.

    confirm is what the confirmation page's button sends (forum.web.threads.CONFIRM_DELETE); without it nothing goes.
    """

    reason = _reason_field()
    confirm = HiddenField()


class NeedsInfoForm(FlaskForm):
    """Advocates and staff ask the asker for details; the service checks the note."""

    note = TextAreaField(_l("What information is missing?"))


RATING_LABELS = (_l("1 – poor"), "2", "3", "4", _l("5 – excellent"))


class FeedbackForm(FlaskForm):
    """"Did this resolve your issue?"; choices are checked by the service, so its message shows."""

    resolved = RadioField(
        _l("Your answer"),
        choices=[SelectChoice("yes", _l("Yes, it's resolved")), SelectChoice("no", _l("No, not yet"))],
        validate_choice=False,
    )
    rating = RadioField(
        _l("How would you rate the help you got? (optional)"),
        choices=[SelectChoice(str(n), label) for n, label in enumerate(RATING_LABELS, start=1)],
        validate_choice=False,
    )
    comment = TextAreaField(_l("Anything you'd like to add? (optional)"),
                            render_kw={"rows": 3, "class": "textarea-short"})


class NotificationSettingsForm(FlaskForm):
    email_frequency = RadioField(
        _l("Email me about my notifications"),
        choices=[
            SelectChoice("immediately", _l("Immediately, one email each")),
            SelectChoice("daily", _l("In a daily digest")),
            SelectChoice("off", _l("Never: I'll check the site")),
        ],
        validate_choice=False,
    )
    weekly_digest = BooleanField(_l("Send me a weekly email of unanswered questions in what I follow"))


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that change state."""


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    slug = StringField(_l("Slug (used in the address)"), validators=[DataRequired(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    position = IntegerField(_l("Position (lower comes first)"), default=0, validators=[InputRequired()])
    # validate_choice off: the service refuses an unknown kind with its own message, as for the API.
    kind = SelectField(
        _l("Holds"), default=CategoryKind.THREADS.value, validate_choice=False,
        choices=[SelectChoice(CategoryKind.THREADS.value, _l("Questions and discussions")),
                 SelectChoice(CategoryKind.IDEAS.value, _l("Ideas (shown on the ideas board)"))],
        description=_l("Fixed once the category has threads."),
    )


class CategoryEditForm(CategoryForm):
    """The category form plus its support hours (SLA calendar); <day>_open/<day>_close are added below."""

    time_zone = StringField(
        _l("Time zone"), validators=[Length(max=64)], render_kw={"list": "time-zones", "autocomplete": "off"},
        description=_l("An IANA name such as Europe/Berlin. Leave everything empty for 24/7 SLA clocks."),
    )
    holidays = TextAreaField(
        _l("Holidays (closed all day)"), validators=[Length(max=5000)], render_kw={"rows": 3},
        description=_l("Dates like 2026-12-25, one per line."),
    )
    email_address = StringField(
        _l("Email address for questions"), validators=[Length(max=254)],
        render_kw={"type": "email", "autocomplete": "off", "placeholder": "support@example.com"},
        description=_l("Mail to this address opens a question here, as its sender (leave it empty for none). Point "
                       "the address at Horseshoe on your mail server: see “Mail in” in the README."),
    )


for _day in DAYS:
    setattr(CategoryEditForm, f"{_day}_open", StringField(_l("%(day)s opens", day=DAY_NAMES[_day]),
            validators=[Length(max=5)], render_kw={"placeholder": "09:00", "inputmode": "numeric"}))
    setattr(CategoryEditForm, f"{_day}_close", StringField(_l("%(day)s closes", day=DAY_NAMES[_day]),
            validators=[Length(max=5)], render_kw={"placeholder": "17:00", "inputmode": "numeric"}))
del _day


ROLE_LABELS = {Role.MEMBER: _l("Member"), Role.ADVOCATE: _l("Advocate"), Role.MODERATOR: _l("Moderator"),
               Role.AGENT: _l("Agent"), Role.ADMIN: _l("Admin")}


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, ROLE_LABELS.get(role, role.value.title()))
                                            for role in Role])


class SettingsFormBase(FlaskForm):
    """Base of the generated community settings form: one field per setting key, shaped by its kind."""




def _setting_field(spec) -> Field:
    """A checkbox for a boolean, a text box for a string or a list, a number input for a number.

    Only numbers are required here: an empty string or list may be a valid value, the service decides.
    """
    if spec.shape == "boolean":
        return BooleanField(spec.key, description=spec.description)
    if spec.shape == "list":
        description = _("%(description)s Separate them with commas or new lines.", description=spec.description)
        return TextAreaField(spec.key, description=description, render_kw={"rows": 2})
    if spec.shape == "string":
        return StringField(spec.key, description=spec.description, render_kw={"maxlength": spec.max_length})
    return StringField(spec.key, description=spec.description, widget=NumberInput(step="any"),
                       validators=[InputRequired()])


def settings_form_class(specs: Iterable) -> type[SettingsFormBase]:
    """A form class with a field for each setting spec; keys become field names."""
    return type("SettingsForm", (SettingsFormBase,), {spec.key: _setting_field(spec) for spec in specs})


class MissionForm(FlaskForm):
    """A staff-made mission; the view fills the metric, category and badge choices, the service checks them."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=2000)],
                                render_kw={"rows": 3, "class": "textarea-short"})
    metric = SelectField(_l("What counts"), choices=[], validate_choice=False)
    goal = IntegerField(_l("Goal (how many)"), validators=[InputRequired()])
    category_id = SelectField(_l("Category"), choices=[], validate_choice=False)
    points = IntegerField(_l("Reputation points on completion"), default=0, validators=[InputRequired()])
    badge = SelectField(_l("Badge on completion"), choices=[], validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Deadline (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])


class AdvocateForm(FlaskForm):
    """Staff making, revoking or inviting an advocate; the reason goes to the audit log."""

    reason = StringField(_l("Reason (optional, for the audit log)"), validators=[Length(max=500)])


# Cases (issue 6): escalation, the agent desk and the customer's case page.

CASE_STATUS_CHOICES = [
    SelectChoice("new", _l("New")), SelectChoice("open", _l("Open (in progress)")),
    SelectChoice("pending_customer", _l("Waiting on the customer")), SelectChoice("resolved", _l("Resolved")),
    SelectChoice("closed", _l("Closed")),
]
CASE_PRIORITY_CHOICES = [
    SelectChoice("low", _l("Low")), SelectChoice("normal", _l("Normal")), SelectChoice("high", _l("High")),
    SelectChoice("urgent", _l("Urgent")),
]


class EscalateForm(FlaskForm):
    """Ask support to take a thread (or recommend it, or escalate as staff); the reason is optional."""

    reason = TextAreaField(_l("What do you still need? (optional)"), validators=[Length(max=2000)],
                           render_kw={"rows": 2, "class": "textarea-short"})


class CaseFilterForm(FlaskForm):
    """The desk queue's filters: a GET form (no CSRF), so a filtered queue is a link to share."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any"))] + CASE_STATUS_CHOICES,
                         validate_choice=False)
    priority = SelectField(_l("Priority"), choices=[SelectChoice("", _l("Any"))] + CASE_PRIORITY_CHOICES,
                           validate_choice=False)
    assignee = SelectField(_l("Assignee"), choices=[SelectChoice("", _l("Anyone")), SelectChoice("me", _l("Me")),
                                                SelectChoice("none", _l("Unassigned"))], validate_choice=False)
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    overdue = BooleanField(_l("Overdue only"))


class CaseAssignForm(FlaskForm):
    """Assign a case to an agent; the view fills the agents, the service checks the choice."""

    assignee_id = SelectField(_l("Assign to"), choices=[], validate_choice=False)


class CaseStatusForm(FlaskForm):
    status = SelectField(_l("Set the status"), choices=CASE_STATUS_CHOICES, validate_choice=False)


class CasePriorityForm(FlaskForm):
    priority = SelectField(_l("Set the priority"), choices=CASE_PRIORITY_CHOICES, validate_choice=False)


class CaseMessageForm(FlaskForm):
    """An agent's message: to the customer, or an internal note that only staff ever see."""

    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 4})
    visibility = RadioField(
        _l("Who sees it"),
        choices=[SelectChoice("customer", _l("The customer (private, not on the thread)")),
                 SelectChoice("internal", _l("Internal — staff only"))],
        default="customer", validate_choice=False,
    )


class CustomerMessageForm(FlaskForm):
    """The customer's private message to support (account details that must not be public)."""

    body = TextAreaField(_l("Your message to support"), validators=[DataRequired(), Length(max=20000)],
                         render_kw={"rows": 4})


class CaseResolveForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 5})
    publish = BooleanField(_l("Publish to the thread as an accepted answer"), default=True)


class EscalationRatingForm(FlaskForm):
    """An agent's verdict on the escalation; the service checks the choice."""

    rating = RadioField(
        _l("Was this escalation needed?"),
        choices=[SelectChoice("needed", _l("Needed: support had to act")),
                 SelectChoice("community_could_answer", _l("The community could have answered")),
                 SelectChoice("missing_information", _l("Missing information"))],
        validate_choice=False,
    )


class MovePostForm(FlaskForm):
    """Staff move a post's personal data into the case; the reason goes to the audit log."""

    reason = StringField(_l("Reason (optional, for the audit log)"), validators=[Length(max=500)])
