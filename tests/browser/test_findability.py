"""The thread page's JSON-LD in Chromium (issue 27): a data block the strict CSP leaves alone, that a post
containing "</script>" cannot end, read back by the browser exactly as written."""

from __future__ import annotations

ATTACK = "Try this </script><script>alert(1)</script><img src=x onerror=alert(2)> & more"


def test_structured_data_is_inert_data_under_the_content_security_policy(visitor, data):
    thread = data.make_thread(title="Charged twice for my plan", body="Why was I charged twice?")
    data.make_reply(thread, body=ATTACK)
    person = visitor()
    page = person.open(f"/t/{thread.id}")  # the bare address moves on to the one with the slug
    assert page.url.endswith(f"/t/{thread.id}/{thread.slug}")
    blocks = page.evaluate("""[...document.querySelectorAll('script[type="application/ld+json"]')]
                              .map(block => JSON.parse(block.textContent))""")
    assert [block["@type"] for block in blocks] == ["QAPage"]
    assert blocks[0]["mainEntity"]["suggestedAnswer"][0]["text"] == ATTACK
    assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0
    # The visitor fixture then fails the test on any console error, CSP violation or alert() that ran.
