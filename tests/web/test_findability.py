"""Pages search engines and link previews understand (issue 27): canonical links, the permanent redirect from a
wrong slug, OpenGraph and Twitter cards, and schema.org JSON-LD read back with extruct.

What Google's Q&A structured-data guidelines require is asserted on the parsed QAPage: a Question with name,
answerCount and an acceptedAnswer or suggestedAnswer; every Answer with text; authors and dates.
"""

from __future__ import annotations

import re

import pytest

from forum.core.pagination import encode_cursor
from forum.knowledge import articles, lifecycle
from forum.models import Post, Thread
from forum.services import moderation_state, posting, qa, reading
from tests.web.findability_helpers import BASE_URL, canonical_of, head_tags, json_ld, opengraph

ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def address(thread: Thread) -> str:
    return f"{BASE_URL}/t/{thread.id}/{thread.slug}"


def page(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.data


def qa_page(html: bytes) -> dict:
    [block] = json_ld(html)
    assert block["@context"] == "https://schema.org" and block["@type"] == "QAPage"
    return block["mainEntity"]


def assert_person(person: dict, post: Post) -> None:
    assert person == {"@type": "Person", "name": post.author.name, "url": f"{BASE_URL}/u/{post.author.username}"}


def assert_answer(answer: dict, post: Post, page_url: str) -> None:
    """What Google asks of an Answer: text (plain, never HTML), its date, votes, author, and where it is."""
    assert answer["@type"] == "Answer" and answer["text"] and "<" not in answer["text"]
    assert ISO_MOMENT.match(answer["dateCreated"]) and answer["upvoteCount"] == post.vote_count
    assert answer["url"] == f"{page_url}#p{post.id}"
    assert_person(answer["author"], post)


# --- canonical links -----------------------------------------------------------------------------------------


def test_a_thread_page_is_canonical_at_its_slug_without_query_parameters(client, community):
    thread = community.thread
    assert canonical_of(page(client, f"/t/{thread.id}/{thread.slug}")) == address(thread)
    noisy = f"/t/{thread.id}/{thread.slug}?sort=votes&utm_source=newsletter&quote={community.reply.id}"
    assert canonical_of(page(client, noisy)) == address(thread)


def test_page_above_one_is_the_only_parameter_kept(client, community):
    thread = community.thread
    assert canonical_of(page(client, f"/t/{thread.id}/{thread.slug}?page=3&sort=votes")) == f"{address(thread)}?page=3"
    assert canonical_of(page(client, f"/t/{thread.id}/{thread.slug}?page=1")) == address(thread)
    assert canonical_of(page(client, f"/t/{thread.id}/{thread.slug}?page=many")) == address(thread)


def test_a_later_page_of_replies_is_canonical_at_the_thread(client, community):
    """A cursor names "the replies after this one", not a stable page: the thread's address is the canonical one."""
    thread, reply = community.thread, community.reply
    cursor = encode_cursor([reply.created_at, reply.id - 1])
    assert canonical_of(page(client, f"/t/{thread.id}/{thread.slug}?cursor={cursor}")) == address(thread)


@pytest.mark.parametrize("caller", ["anonymous", "author", "moderator"])
def test_every_viewer_gets_the_same_canonical_link(act_as, community, caller):
    thread = community.thread
    assert canonical_of(page(act_as(caller), f"/t/{thread.id}/{thread.slug}")) == address(thread)


def test_lists_home_profiles_and_articles_are_canonical_without_their_filters(client, community, make):
    make.make_thread(category=community.category, tags=["wifi"])
    article = _published_article(community)
    expected = {
        "/?utm_campaign=spring": f"{BASE_URL}/",
        "/c/billing?filter=solved&sort=latest&utm_medium=mail": f"{BASE_URL}/c/billing",
        "/c/billing?page=2": f"{BASE_URL}/c/billing?page=2",
        "/tags/wifi?sort=votes": f"{BASE_URL}/tags/wifi",
        "/tags?ref=footer": f"{BASE_URL}/tags",
        "/kb?category=billing&tag=wifi": f"{BASE_URL}/kb",
        f"/kb/{article.id}/{article.slug}?from=search": f"{BASE_URL}/kb/{article.id}/{article.slug}",
        "/u/ASKER": f"{BASE_URL}/u/asker",  # the current spelling of the name, as the slug of a thread
    }
    for path, canonical in expected.items():
        assert canonical_of(page(client, path)) == canonical, path


def test_canonical_addresses_come_from_the_configured_base_url_not_the_request_host(client, community):
    thread = community.thread
    response = client.get(f"/t/{thread.id}/{thread.slug}", headers={"Host": "attacker.example"})
    assert canonical_of(response.data) == address(thread)


# --- the permanent redirect ------------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", ["", "/an-old-title", "/CHARGED-TWICE-FOR-MY-PLAN"])
def test_a_missing_or_wrong_slug_redirects_permanently_to_the_thread(client, community, wrong):
    thread = community.thread
    response = client.get(f"/t/{thread.id}{wrong}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/t/{thread.id}/{thread.slug}"


def test_the_redirect_keeps_the_paging_arguments_and_drops_the_rest(client, community):
    thread = community.thread
    response = client.get(f"/t/{thread.id}/old?cursor=abc&sort=votes&page=2&utm_source=x")
    assert response.status_code == 301
    location = response.headers["Location"]
    assert location.startswith(f"/t/{thread.id}/{thread.slug}?")
    assert sorted(location.split("?", 1)[1].split("&")) == ["cursor=abc", "page=2", "sort=votes"]


def test_a_thread_the_visitor_may_not_see_never_redirects_to_its_title(client, community):
    """The slug carries the title's words: someone the thread is hidden from gets the same 404 as before."""
    thread = community.thread
    moderation_state.hide_post(community.question, community.moderator, "Off topic")
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert client.get(f"/t/{thread.id}/wrong").status_code == 404


def test_a_retitled_thread_moves_its_address(client, community):
    thread = community.thread
    old_slug = thread.slug
    posting.update_thread(community.author, thread, posting.ThreadChange(title="Refund for a double charge"))
    response = client.get(f"/t/{thread.id}/{old_slug}")
    assert response.status_code == 301 and response.headers["Location"] == f"/t/{thread.id}/refund-for-a-double-charge"


# --- link previews ---------------------------------------------------------------------------------------------


def test_a_question_shares_as_a_preview_with_a_plain_text_excerpt(client, make, community):
    thread = make.make_thread(author=community.author, category=community.category, title="Invoice <b> & VAT",
                              body="My **second** invoice shows <i>VAT</i> twice. " + "Long words here. " * 30)
    html = page(client, f"/t/{thread.id}/{thread.slug}")
    preview = opengraph(html)
    assert preview["og:title"] == "Invoice <b> & VAT"  # escaped into the attribute, read back as typed
    assert preview["og:type"] == "article" and preview["og:url"] == address(thread)
    assert preview["og:site_name"] == "Horseshoe community"
    description = preview["og:description"]
    assert description.startswith("My second invoice shows <i>VAT</i> twice.")  # Markdown gone; typed text kept
    assert len(description) <= 200 and description.endswith("…")
    tags = head_tags(html).meta
    assert tags["twitter:card"] == "summary" and tags["twitter:title"] == "Invoice <b> & VAT"
    assert tags["twitter:description"] == description == tags["description"]
    assert b"<i>VAT" not in html.split(b"</head>")[0]  # escaped by Jinja, never markup in the head


@pytest.mark.parametrize("path", ["/", "/c/billing", "/kb", "/tags/wifi"])
def test_home_categories_and_lists_have_previews(client, community, make, path):
    make.make_thread(category=community.category, tags=["wifi"])
    preview = opengraph(page(client, path))
    assert preview["og:title"] and preview["og:description"] and preview["og:type"] == "website"
    assert preview["og:url"] == BASE_URL + path


def test_an_article_has_a_preview(client, community):
    article = _published_article(community)
    preview = opengraph(page(client, f"/kb/{article.id}/{article.slug}"))
    assert preview["og:title"] == article.title and preview["og:type"] == "article"
    assert preview["og:description"] == "Compare both charges on the Invoices page."


def test_a_thread_that_is_not_public_has_no_preview_nor_structured_data(act_as, community):
    """Its author still reads a pending thread; nothing of it is described for search engines."""
    thread = community.thread
    community.question.visibility = thread.visibility = "pending"
    html = page(act_as("author"), f"/t/{thread.id}/{thread.slug}")
    assert canonical_of(html) == address(thread)
    assert "og:title" not in head_tags(html).meta and json_ld(html) == []


# --- structured data -------------------------------------------------------------------------------------------


def test_an_unsolved_question_is_a_qa_page_with_suggested_answers(client, community, make):
    thread = community.thread
    second = make.make_reply(thread, body="Ask the bank which charge is a pending hold.")
    qa.vote_helpful(community.author, second)
    question = qa_page(page(client, f"/t/{thread.id}/{thread.slug}"))
    assert question["@type"] == "Question" and question["name"] == thread.title
    assert question["text"] == "My router keeps dropping the connection every evening. What can I try?"
    assert question["answerCount"] == 2 and question["upvoteCount"] == 0
    assert ISO_MOMENT.match(question["dateCreated"])
    assert_person(question["author"], community.question)
    assert "acceptedAnswer" not in question
    answers = question["suggestedAnswer"]
    assert [answer["text"] for answer in answers] == [community.reply.body, second.body]
    for answer, post in zip(answers, (community.reply, second), strict=True):
        assert_answer(answer, post, address(thread))
    assert answers[1]["upvoteCount"] == 1


def test_a_solved_question_names_its_accepted_answer(client, community, make):
    thread = community.thread
    other = make.make_reply(thread, body="Or wait a day: holds disappear.")
    qa.accept_solution(community.author, thread, community.reply)
    question = qa_page(page(client, f"/t/{thread.id}/{thread.slug}"))
    assert_answer(question["acceptedAnswer"], community.reply, address(thread))
    assert [answer["url"] for answer in question["suggestedAnswer"]] == [f"{address(thread)}#p{other.id}"]


@pytest.mark.parametrize("caller", ["anonymous", "other", "moderator"])
def test_hidden_deleted_and_pending_replies_never_appear(act_as, community, make, caller):
    """Moderators and the pending reply's author see them on the page; the JSON-LD is everyone's."""
    thread = community.thread
    hidden = make.make_reply(thread, body="Buy my refund service at example.com")
    moderation_state.hide_post(hidden, community.moderator, "Spam")
    deleted = make.make_reply(thread, body="Wrong thread, sorry")
    moderation_state.remove_post(deleted, community.moderator)
    pending = make.make_reply(thread, author=community.other, body="Waiting for a moderator")
    pending.visibility = "pending"  # as the content checks hold a reply, counted out like one
    moderation_state.recount_thread(thread)
    html = page(act_as(caller), f"/t/{thread.id}/{thread.slug}")
    texts = [answer["text"] for answer in qa_page(html)["suggestedAnswer"]]
    assert texts == [community.reply.body]
    assert qa_page(html)["answerCount"] == 1


def test_the_block_follows_votes_edits_acceptance_and_renames_after_it_was_shown(client, community, make, db):
    """The block is kept per process by what it is made of (issue 21): each change shows at once."""
    thread, reply = community.thread, community.reply
    path = f"/t/{thread.id}/{thread.slug}"
    assert qa_page(page(client, path))["suggestedAnswer"][0]["upvoteCount"] == 0
    qa.vote_helpful(community.author, reply)
    assert qa_page(page(client, path))["suggestedAnswer"][0]["upvoteCount"] == 1
    posting.edit_post(reply.author, reply, "Restart the router, then call the bank.")
    assert qa_page(page(client, path))["suggestedAnswer"][0]["text"] == "Restart the router, then call the bank."
    reply.author.display_name = "Renamed Helper"
    db.session.commit()
    assert qa_page(page(client, path))["suggestedAnswer"][0]["author"]["name"] == "Renamed Helper"
    qa.accept_solution(community.author, thread, reply)
    question = qa_page(page(client, path))
    assert question["acceptedAnswer"]["text"] == "Restart the router, then call the bank."
    assert "suggestedAnswer" not in question


def test_the_block_is_the_same_for_everyone(act_as, community):
    thread = community.thread
    blocks = {caller: json_ld(page(act_as(caller), f"/t/{thread.id}/{thread.slug}"))
              for caller in ("anonymous", "author", "other", "moderator")}
    assert len({repr(block) for block in blocks.values()}) == 1


def test_an_unanswered_question_has_no_qa_page(client, make):
    thread = make.make_thread()
    assert json_ld(page(client, f"/t/{thread.id}/{thread.slug}")) == []


def test_a_discussion_is_a_discussion_forum_posting(client, make, community):
    thread = make.make_thread(author=community.author, category=community.category, kind="discussion",
                              title="Show us your home office", body="Mine has two screens.")
    reply = make.make_reply(thread, author=community.other, body="A desk by the window.")
    [block] = json_ld(page(client, f"/t/{thread.id}/{thread.slug}"))
    assert block["@type"] == "DiscussionForumPosting"
    assert block["headline"] == thread.title and block["text"] == "Mine has two screens."
    assert block["url"] == address(thread) and ISO_MOMENT.match(block["datePublished"])
    assert block["author"]["name"] == community.author.name
    assert block["comment"] == [{"@type": "Comment", "text": "A desk by the window.",
                                 "datePublished": block["comment"][0]["datePublished"],
                                 "author": {"@type": "Person", "name": community.other.name,
                                            "url": f"{BASE_URL}/u/{community.other.username}"},
                                 "url": f"{address(thread)}#p{reply.id}"}]


def test_a_post_cannot_break_out_of_the_script_element(client, community, make):
    thread = community.thread
    attack = "Try this </script><script>alert(1)</script> & <!-- that"
    make.make_reply(thread, body=attack)
    html = page(client, f"/t/{thread.id}/{thread.slug}").decode()
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003c/script\\u003e" in raw
    answers = qa_page(html.encode())["suggestedAnswer"]
    assert answers[-1]["text"] == attack  # read back exactly as written
    assert "<script>alert(1)" not in html


def test_answers_on_a_later_view_point_at_that_view(client, community, make):
    thread = community.thread
    later = make.make_reply(thread, body="A second answer on its own page.")
    cursor = encode_cursor([community.reply.created_at, community.reply.id])
    question = qa_page(page(client, f"/t/{thread.id}/{thread.slug}?cursor={cursor}&utm=x"))
    assert [answer["url"] for answer in question["suggestedAnswer"]] == [
        f"{address(thread)}?cursor={cursor}#p{later.id}"]


def test_structured_data_costs_the_thread_page_no_statement(make, community, count_queries, login_as):
    """The block is built from the posts the page loaded: a solved thread with many replies costs what a bare one
    does (tests/web/test_query_counts.py pins the number itself)."""
    bare = make.make_thread(author=community.author, category=community.category)
    busy = make.make_thread(author=community.author, category=community.category, replies=5)
    qa.accept_solution(community.author, busy, reading.list_replies(None, busy, limit=1).items[0])
    counts = {count_queries(f"/t/{thread.id}/{thread.slug}") for thread in (community.thread, bare, busy)}
    assert len(counts) == 1


def _published_article(community):
    article = articles.create_article(community.advocate, articles.ArticleDraft(
        title="Refunds for a double charge", body="Compare both charges on the **Invoices** page.",
        category_id=community.category.id))
    return lifecycle.publish(community.moderator, article)
