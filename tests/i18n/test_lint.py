"""The unmarked-text check `make test` runs (forum.cli.i18n_lint): what it must catch, what it must let be."""

from __future__ import annotations

from pathlib import Path

import pytest

from forum.cli.i18n_lint import python_findings, template_findings


def _template(source: str) -> list[str]:
    return [finding.text for finding in template_findings(Path("t.html"), source)]


def _python(source: str) -> list[str]:
    return [finding.text for finding in python_findings(Path("m.py"), source)]


@pytest.mark.parametrize("source, found", [
    ("<h1>Ask a question</h1>", "Ask a question"),
    ('<input type="search" placeholder="Search the community">', 'placeholder="Search the community"'),
    ('<img src="{{ src }}" alt="Your picture">', 'alt="Your picture"'),
    ('<nav aria-label="Main">', 'aria-label="Main"'),
    ('<a href="{{ url }}" title="Open the thread">x</a>', 'title="Open the thread"'),
    ('<input type="submit" value="Save changes">', 'value="Save changes"'),
    ("{% set pairs = [('home.index', 'Leaderboard')] %}", "Leaderboard"),
    ('<p>{{ n }} replies</p>', "replies"),
    ('<a class="x {{ c }}" href="{{ h }}">Read more</a>', "Read more"),
])
def test_text_a_person_reads_is_caught_in_templates(source, found):
    assert found in _template(source)


@pytest.mark.parametrize("source", [
    '<h1>{{ _("Ask a question") }}</h1>',
    '<input placeholder="{{ _(\'Search\') }}">',
    "{% trans url=u %}Please <a href=\"{{ url }}\">sign in</a> to reply.{% endtrans %}",
    "{% trans count=n %}{{ count }} reply{% pluralize %}{{ count }} replies{% endtrans %}",
    '<a class="button button-secondary" href="{{ url_for(\'home.index\') }}">{{ _("Home") }}</a>',
    "<script>var label = 'Loading the page';</script>",
    "<pre><code>Some sample code here</code></pre>",
    '{% block layout %}wide{% endblock %}',
    "<p>{{ thread.title }} · Horseshoe</p>",
    "<!-- Some comment a person never reads -->",
    '{{ x | timestamp("date") }}',
])
def test_marked_text_code_and_markup_pass(source):
    assert _template(source) == []


@pytest.mark.parametrize("source, found", [
    ('flash("Your settings were saved.")', "Your settings were saved."),
    ('flash(f"Saved {name}.")', "Saved ."),
    ('raise Invalid({"title": ["Write a longer title."]})', "Write a longer title."),
    ('raise Forbidden("Only staff can do that.")', "Only staff can do that."),
    ('errors.add("email", "That address is taken.")', "That address is taken."),
    ('name = StringField("Display name", validators=[Length(max=64, message="Too long.")])', "Display name"),
    ('name = StringField("Display name", validators=[Length(max=64, message="Too long.")])', "Too long."),
    ('f = SelectField(choices=[("a", "All members")])', "All members"),
    ('abort(400, "The form expired.")', "The form expired."),
    ('queue_email(user.email, "Your export is ready", "export_ready")', "Your export is ready"),
    ('class Gone(DomainError):\n    status = 410\n    title = "Export gone"', "Export gone"),
])
def test_text_a_person_reads_is_caught_in_python(source, found):
    assert found in _python(source)


@pytest.mark.parametrize("source", [
    'flash(_("Your settings were saved."))',
    'flash(_("Saved %(name)s.", name=name))',
    'raise Invalid({"title": [_("Write a longer title.")]})',
    'name = StringField(_l("Display name"), validators=[Length(max=64, message=_l("Too long."))])',
    'class Gone(DomainError):\n    title = N_("Export gone")',
    'raise ValueError("internal: bad state")',
    'log.info("Sent %s mails", n)',
    'flash("Thanks, Horseshoe")  # i18n: ok',
    'errors.add("email", message)',
])
def test_marked_text_and_text_nobody_reads_pass(source):
    assert _python(source) == []
