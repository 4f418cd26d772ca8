"""The article editor and the life-cycle buttons, per role: who may propose, edit, submit, publish, archive
and send back; what a mistake shows; a draft prefilled from a solved thread; and refusals never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.extensions import db
from forum.knowledge import articles
from forum.models import Article, ArticleStatus

BODY = "## Cause\n\nNeighbouring networks on channel 6.\n\n## Fix\n\nUse channel 11."


def _form(category_id: int, **fields) -> dict:
    return {"title": "Fix evening connection drops", "category_id": str(category_id), "tags": "wifi, router",
            "body": BODY, "note": "", **fields}


def _articles() -> list[Article]:
    return list(db.session.scalars(select(Article)))


def _status(article: Article) -> str:
    """The article's status as the requests left it (they run in their own session)."""
    db.session.refresh(article)
    return article.status


def test_signing_in_is_asked_before_writing_an_article(client):
    answer = client.get("/kb/new")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_member_without_the_article_privilege_is_refused_the_editor(login_as, make):
    client = login_as(make.make_user(reputation=999))
    assert client.get("/kb/new").status_code == 403
    assert client.post("/kb/new", data=_form(make.make_category().id)).status_code == 403
    assert _articles() == []


def test_a_member_with_the_privilege_saves_a_draft_and_lands_on_it(login_as, make, proposer):
    category = make.make_category()
    client = login_as(proposer)
    form = client.get("/kb/new")
    assert form.status_code == 200 and 'name="body"' in form.get_data(as_text=True)
    answer = client.post("/kb/new", data=_form(category.id))
    [article] = _articles()
    assert answer.status_code == 302 and answer.headers["Location"].endswith(articles.article_path(article))
    assert _status(article) == ArticleStatus.DRAFT.value and article.author_id == proposer.id
    assert [tag.name for tag in article.tags] == ["router", "wifi"] and article.source_thread_id is None
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Draft saved." in page and "Submit for review" in page


def test_mistakes_come_back_on_the_form_with_what_was_typed(login_as, make, proposer):
    category = make.make_category()
    answer = login_as(proposer).post("/kb/new", data=_form(category.id, title="short", body=" ", tags="bad tag!"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and _articles() == []
    assert 'aria-invalid="true"' in html and "Write the article first." in html and "not a valid tag" in html
    assert 'value="short"' in html


def test_the_form_refuses_a_post_without_its_csrf_token(login_as, make, proposer):
    answer = login_as(proposer).post("/kb/new", data=_form(make.make_category().id), csrf=False)
    assert answer.status_code in (400, 422) and _articles() == []


def test_the_preview_button_shows_the_rendering_and_saves_nothing(login_as, make, proposer):
    answer = login_as(proposer).post("/kb/new", data=_form(make.make_category().id, preview="1"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<h2>Cause</h2>" in html and _articles() == []


def test_a_solved_thread_prefills_the_editor_and_the_draft_links_back(login_as, staff, solved_thread):
    client = login_as(staff)
    form = client.get(f"/kb/new?thread={solved_thread.id}").get_data(as_text=True)
    assert solved_thread.title in form and "channel 11" in form
    assert f'name="source_thread_id" type="hidden" value="{solved_thread.id}"' in form
    answer = client.post("/kb/new", data=_form(solved_thread.category_id, source_thread_id=str(solved_thread.id)))
    assert answer.status_code == 302
    [article] = _articles()
    assert article.source_thread_id == solved_thread.id


def test_a_resolved_case_prefills_its_resolution_and_points_out_personal_data(login_as, make, solved_thread):
    agent = make.make_user(role="agent")
    case, _created = cases.escalate_thread(solved_thread.author, solved_thread, "Still dropping")
    cases.resolve_case(agent, case, "Replaced the router; call ana on +44 20 7946 0958 if it drops again.",
                       publish_to_thread=False)
    client = login_as(agent)
    html = client.get(f"/kb/new?case={case.id}").get_data(as_text=True)
    assert "Check for personal data before saving" in html and "Replaced the router" in html
    assert f'name="source_case_id" type="hidden" value="{case.id}"' in html
    answer = client.post("/kb/new", data=_form(solved_thread.category_id, source_case_id=str(case.id)))
    assert answer.status_code == 302
    [article] = _articles()
    assert (article.source_case_id, article.source_thread_id) == (case.id, solved_thread.id)


def test_a_member_may_not_start_from_a_case(login_as, proposer, solved_thread):
    case, _created = cases.escalate_thread(solved_thread.author, solved_thread, "Still dropping")
    assert login_as(proposer).get(f"/kb/new?case={case.id}").status_code == 403


def test_an_unsolved_thread_cannot_become_an_article(login_as, make, staff):
    thread = make.make_thread(title="An open question nobody solved yet")
    answer = login_as(staff).get(f"/kb/new?thread={thread.id}")
    assert answer.status_code == 422 and "Only solved questions can become articles." in answer.get_data(
        as_text=True)


def test_a_forged_source_field_is_checked_again_and_refused(login_as, make, proposer):
    open_thread = make.make_thread(title="An open question nobody solved yet")
    client = login_as(proposer)
    answer = client.post("/kb/new", data=_form(open_thread.category_id, source_thread_id=str(open_thread.id)))
    assert answer.status_code in (403, 404, 409, 422) and _articles() == []
    answer = client.post("/kb/new", data=_form(open_thread.category_id, source_thread_id="1 OR 1=1"))
    assert answer.status_code == 422 and _articles() == []


def test_the_author_edits_a_draft_into_a_new_version(login_as, make_article, proposer):
    article = make_article(author=proposer)
    client = login_as(proposer)
    form = client.get(f"/kb/{article.id}/edit").get_data(as_text=True)
    assert "Fix evening connection drops" in form
    answer = client.post(f"/kb/{article.id}/edit", data=_form(article.category_id, title="Stop evening drops",
                                                                note="clearer title"))
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/kb/{article.id}/stop-evening-drops")
    db.session.refresh(article)
    assert article.version_count == 2 and articles.versions(article)[0].note == "clearer title"
    assert "Saved as version 2." in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_saving_the_same_text_says_nothing_changed(login_as, make_article, proposer):
    article = make_article(author=proposer, tags=["router", "wifi"])
    client = login_as(proposer)
    answer = client.post(f"/kb/{article.id}/edit", data=_form(article.category_id, tags="router, wifi"),
                         follow_redirects=True)
    db.session.refresh(article)
    assert "Nothing changed" in answer.get_data(as_text=True) and article.version_count == 1


def test_an_edit_with_mistakes_comes_back_with_its_messages(login_as, make_article, proposer):
    article = make_article(author=proposer)
    answer = login_as(proposer).post(f"/kb/{article.id}/edit", data=_form(article.category_id, body=""))
    assert answer.status_code == 422 and "Write the article first." in answer.get_data(as_text=True)
    db.session.refresh(article)
    assert article.version_count == 1


@pytest.mark.parametrize("who, status", [("stranger", 404), ("author", 403), ("staff", 200)])
def test_who_may_edit_a_published_article(login_as, make, make_article, proposer, staff, who, status):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    draft = make_article(author=proposer)
    viewer = {"stranger": make.make_user(), "author": proposer, "staff": staff}[who]
    client = login_as(viewer)
    assert client.get(f"/kb/{article.id}/edit").status_code == (403 if who == "stranger" else status)
    assert client.get(f"/kb/{draft.id}/edit").status_code == (200 if who != "stranger" else 404)


def test_the_author_submits_a_draft_for_review(login_as, make_article, proposer):
    article = make_article(author=proposer)
    client = login_as(proposer)
    answer = client.post(f"/kb/{article.id}/submit", follow_redirects=True)
    assert "Submitted for review" in answer.get_data(as_text=True)
    assert _status(article) == ArticleStatus.IN_REVIEW.value


def test_a_stranger_cannot_find_a_draft_to_submit_and_a_visitor_is_asked_to_sign_in(
        client, login_as, make, make_article, proposer):
    article = make_article(author=proposer)
    answer = client.post(f"/kb/{article.id}/submit")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert login_as(make.make_user()).post(f"/kb/{article.id}/submit").status_code == 404
    assert _status(article) == ArticleStatus.DRAFT.value


def test_only_staff_publish(login_as, make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    page = login_as(proposer).get(articles.article_path(article)).get_data(as_text=True)
    assert f"/kb/{article.id}/publish" not in page
    assert login_as(proposer).post(f"/kb/{article.id}/publish").status_code == 403
    assert _status(article) == ArticleStatus.IN_REVIEW.value
    client = login_as(staff)
    assert f"/kb/{article.id}/publish" in client.get(articles.article_path(article)).get_data(as_text=True)
    answer = client.post(f"/kb/{article.id}/publish", follow_redirects=True)
    assert "Published: everyone can read it now." in answer.get_data(as_text=True)
    assert _status(article) == ArticleStatus.PUBLISHED.value


def test_staff_send_an_article_in_review_back_to_draft_with_a_note(login_as, make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    assert login_as(proposer).post(f"/kb/{article.id}/return-to-draft").status_code == 403
    answer = login_as(staff).post(f"/kb/{article.id}/return-to-draft", data={"note": "Add the router model."},
                                  follow_redirects=True)
    assert "Sent back to the author as a draft." in answer.get_data(as_text=True)
    assert _status(article) == ArticleStatus.DRAFT.value


def test_sending_back_a_draft_is_explained_not_a_crash(login_as, make_article, staff):
    article = make_article()
    answer = login_as(staff).post(f"/kb/{article.id}/return-to-draft", follow_redirects=True)
    assert answer.status_code == 200 and "Only an article in review can go back to draft." in answer.get_data(
        as_text=True)


def test_staff_archive_an_article_optionally_withdrawing_it(login_as, make_article, proposer, staff):
    kept = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    withdrawn = make_article(author=proposer, title="A wrong answer", status=ArticleStatus.PUBLISHED)
    assert login_as(proposer).post(f"/kb/{kept.id}/archive").status_code == 403
    client = login_as(staff)
    page = client.get(articles.article_path(kept)).get_data(as_text=True)
    assert "reverses the reputation" in page
    answer = client.post(f"/kb/{kept.id}/archive", data={"reason": "Replaced"}, follow_redirects=True)
    assert "Archived: it stays readable by link" in answer.get_data(as_text=True)
    answer = client.post(f"/kb/{withdrawn.id}/archive", data={"withdrawn": "y"}, follow_redirects=True)
    assert "Withdrawn and archived" in answer.get_data(as_text=True)
    assert _status(kept) == _status(withdrawn) == ArticleStatus.ARCHIVED.value


def test_an_over_long_archive_reason_is_explained_and_changes_nothing(login_as, make_article, staff):
    article = make_article(status=ArticleStatus.PUBLISHED)
    answer = login_as(staff).post(f"/kb/{article.id}/archive", data={"reason": "x" * 600}, follow_redirects=True)
    assert answer.status_code == 200 and _status(article) == ArticleStatus.PUBLISHED.value
    assert "500" in answer.get_data(as_text=True)  # the limit is named in the message


def test_buttons_for_a_missing_article_are_a_404(login_as, staff):
    client = login_as(staff)
    for action in ("submit", "publish", "archive", "return-to-draft"):
        assert client.post(f"/kb/999999/{action}").status_code == 404
