"""The conversation pages' forms: shape and CSRF only (the services decide what is allowed)."""

from __future__ import annotations

from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.conversations import flagging, starting
from forum.http.forms import FlaskForm

FLAG_CHOICES = [SelectChoice("spam", "Spam"), SelectChoice("offensive", "Offensive or abusive"),
                SelectChoice("off_topic", "Unwanted"), SelectChoice("needs_staff", "Needs staff attention"),
                SelectChoice("other", "Something else")]


class NewConversationForm(FlaskForm):
    to = StringField("To", validators=[DataRequired(), Length(max=500)],
                     description="Usernames, separated by commas or spaces.")
    title = StringField("Title", validators=[DataRequired(), Length(max=starting.MAX_TITLE)])
    body = TextAreaField("Message", validators=[DataRequired()])
    confirmed = HiddenField()  # "1" once the personal-data warning was shown: the next submit sends anyway


class MessageForm(FlaskForm):
    body = TextAreaField("Your message", validators=[DataRequired()])
    confirmed = HiddenField()


class FlagForm(FlaskForm):
    reason = SelectField("Why?", choices=FLAG_CHOICES, validators=[DataRequired()])
    note = TextAreaField("Note for the moderators (optional)", validators=[Length(max=flagging.MAX_NOTE)])


class OpenCaseForm(FlaskForm):
    thread_id = SelectField("The member's question the case is for", coerce=int, validate_choice=False)


class DecisionForm(FlaskForm):
    action = SelectField(
        "Decision", choices=[SelectChoice("hide", "Hide the message"), SelectChoice("dismiss", "Dismiss the flags")],
        validators=[DataRequired()],
    )
    note = TextAreaField("Note for the audit log (optional)", validators=[Length(max=flagging.MAX_NOTE)])
