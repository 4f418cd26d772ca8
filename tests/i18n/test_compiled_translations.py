"""Templates compiled per language with their fixed text already translated (forum.http.translated_templates).

One app serves every language: each page must come out in its reader's language whichever language the
process compiled first, emails in their recipient's, and the folded text must behave exactly as the
call it replaced (variables escaped, "%%" written once).
"""

from __future__ import annotations

from flask import render_template_string

from forum.core import i18n
from tests.i18n.test_languages import GERMAN, SPANISH, translated
from tests.web.helpers import text


def test_one_process_writes_each_reader_s_language_whatever_it_compiled_first(client, make):
    make.make_thread(title="My router reboots at night")
    pages = [(client.get("/", headers=headers), language)
             for headers, language in [({}, "en"), (GERMAN, "de"), ({}, "en"), (SPANISH, "es"), (GERMAN, "de")]]
    for page, language in pages:
        expected = "Ask a question" if language == "en" else translated(language, "Ask a question")
        assert expected in text(page), language
    assert "Ask a question" not in text(pages[1][0])


def test_a_German_recipient_s_template_is_German_in_an_English_request(app):
    source = '{{ _("Sign in") }}'
    with app.test_request_context("/"):
        assert render_template_string(source) == "Sign in"
        with i18n.reading_as("de"):
            assert render_template_string(source) == translated("de", "Sign in")
        assert render_template_string(source) == "Sign in"


def test_folded_text_escapes_its_variables_and_writes_percent_once(app):
    with app.test_request_context("/"), i18n.reading_as("de"):
        page = render_template_string('{{ _("Hello %(name)s, 100%% sure", name=name) }}', name="<b>Ann</b>")
    assert page == "Hello &lt;b&gt;Ann&lt;/b&gt;, 100% sure"


def test_the_compiled_page_holds_the_translation_as_a_constant(app):
    """The speed work itself: the German template's code carries the German words, no catalogue call."""
    with app.test_request_context("/"), i18n.reading_as("de"):
        code = app.jinja_env.compile('<p>{{ _("Sign in") }}</p>', raw=True)
    assert repr(translated("de", "Sign in"))[1:-1] in code
    assert "'Sign in'" not in code
