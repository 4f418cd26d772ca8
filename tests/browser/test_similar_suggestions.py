"""The ask page in a real browser (issue 26): typing a title offers up to search.similar_shown (10) suggestions,
each saying what it is: "Article" for articles, a thread's status and replies for threads."""

from __future__ import annotations

from playwright.sync_api import expect

from forum.knowledge import articles, lifecycle
from forum.services import qa


def test_typing_a_title_offers_up_to_ten_suggestions_with_their_kinds(visitor, data):
    staff = data.make_user("moderator", username="mona")
    data.make_user(username="asker")
    category = data.make_category("Heating", slug="heating")
    for n in range(11):
        thread = data.make_thread(category=category, title=f"Thermostat display goes blank ({n})",
                                  body="The thermostat display is blank every morning.")
        data.write(qa.accept_solution, thread.author, thread,
                   data.make_reply(thread, body="Replace the thermostat battery."))
    article = data.write(articles.create_article, staff, articles.ArticleDraft(
        title="Thermostat display blank: replace the battery", body="A blank thermostat display needs a battery.",
        category_id=category.id))
    data.write(lifecycle.publish, staff, article)
    data.run_jobs()

    person = visitor()
    page = person.sign_in("asker@example.com")
    page.goto(person.base_url + "/ask")
    page.get_by_label("Title").press_sequentially("My thermostat display is blank")
    live = page.locator("#similar-live")
    expect(live.locator("li")).to_have_count(10)
    expect(live.locator("li").filter(has_text="Article")).to_have_count(1)
    expect(live.locator("li .meta").filter(has_text="Solved · 1 reply")).to_have_count(9)
    person.assert_clean()
