"""The conversation pages' forms: shape and CSRF only (the services decide what is allowed)."""

from __future__ import annotations

from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.conversations import flagging, starting
from forum.core.i18n import _l
from forum.http.forms import FlaskForm

FLAG_CHOICES = [SelectChoice("spam", _l("Spam")), SelectChoice("offensive", _l("Offensive or abusive")),
                SelectChoice("off_topic", _l("Unwanted")), SelectChoice("needs_staff", _l("Needs staff attention")),
                SelectChoice("other", _l("Something else"))]


class NewConversationForm(FlaskForm):
    to = StringField(_l("To"), validators=[DataRequired(), Length(max=500)],
                     description=_l("Usernames, separated by commas or spaces."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=starting.MAX_TITLE)])
    body = TextAreaField(_l("Message"), validators=[DataRequired()])
    confirmed = HiddenField()  # "1" once the personal-data warning was shown: the next submit sends anyway


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired()])
    confirmed = HiddenField()


class FlagForm(FlaskForm):
    reason = SelectField(_l("Why?"), choices=FLAG_CHOICES, validators=[DataRequired()])
    note = TextAreaField(_l("Note for the moderators (optional)"), validators=[Length(max=flagging.MAX_NOTE)])


class OpenCaseForm(FlaskForm):
    thread_id = SelectField(_l("The member's question the case is for"), coerce=int, validate_choice=False)


class DecisionForm(FlaskForm):
    action = SelectField(
        _l("Decision"), choices=[SelectChoice("hide", _l("Hide the message")),
                                 SelectChoice("dismiss", _l("Dismiss the flags"))],
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("Note for the audit log (optional)"), validators=[Length(max=flagging.MAX_NOTE)])
