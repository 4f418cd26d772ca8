"""Images and files in articles: an upload referenced by an article is served exactly to those who may read
the article (drafts and articles in review: their author and staff; published or archived: anyone), and a
URL pasted from someone else's upload attaches nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.core.extensions import db
from forum.knowledge import articles, lifecycle
from forum.models import Article, Attachment, User
from tests import factories
from tests.uploads.conftest import image_bytes, upload_via_api


def _signed_in(app, user: User | None):
    """A browser of its own: signed in as user, or signed out."""
    browser = app.test_client()
    if user is not None:
        with browser.session_transaction() as session:
            session["_user_id"] = factories.session_key_for(user)
            session["_fresh"] = True
    return browser


def _status(app, user: User | None, url: str) -> int:
    return _signed_in(app, user).get(url).status_code


def _uploaded(api_client, user: User, name: str = "router.png") -> dict:
    response = upload_via_api(api_client(user), image_bytes(), name, "image/png")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _article(author: User, category_id: int, body: str):
    return articles.create_article(author, articles.ArticleDraft(
        title="Fix evening connection drops", body=body, category_id=category_id))


def _attachments(upload_id: int) -> int:
    return db.session.scalar(select(func.count(Attachment.id)).where(Attachment.upload_id == upload_id))


def test_an_image_in_a_members_draft_is_served_to_its_author_and_staff_then_to_everyone_once_published(
        app, make, api_client, proposer, staff):
    upload = _uploaded(api_client, proposer)
    form = {"title": "Fix evening connection drops", "category_id": str(make.make_category().id), "tags": "",
            "body": f"The settings page:\n\n![Channel settings]({upload['url']})", "note": ""}
    assert _signed_in(app, proposer).post("/kb/new", data=form).status_code == 302  # the editor saves the draft
    article = db.session.scalar(select(Article).where(Article.author_id == proposer.id))
    stranger = make.make_user(reputation=5000)
    for status in ("draft", "in review"):
        assert _status(app, None, upload["url"]) == 404, status
        assert _status(app, stranger, upload["url"]) == 404, status
        assert _status(app, proposer, upload["url"]) == 200, status
        assert _status(app, staff, upload["url"]) == 200, status
        if status == "draft":
            lifecycle.submit_for_review(proposer, article)
    lifecycle.publish(staff, article)
    response = _signed_in(app, None).get(upload["url"])
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert _status(app, stranger, upload["url"]) == 200
    lifecycle.archive(staff, article)
    assert _status(app, None, upload["url"]) == 200  # archived articles stay readable by link, files too


def test_a_url_pasted_from_someone_elses_upload_attaches_nothing(app, make, api_client, proposer, staff):
    owner = make.make_user()
    private = _uploaded(api_client, owner, "invoice.png")
    body = f"Look: ![x]({private['url']}) and [the file]({private['url']})"
    created = api_client(proposer).post("/api/v1/articles", json={
        "title": "Fix evening connection drops", "body": body, "category_id": make.make_category().id})
    assert created.status_code == 201, created.get_json()
    lifecycle.publish(staff, db.session.get(Article, created.get_json()["id"]))
    assert _attachments(private["id"]) == 0
    assert _status(app, None, private["url"]) == 404
    assert _status(app, proposer, private["url"]) == 404
    assert _status(app, owner, private["url"]) == 200  # still its uploader's own, unattached


def test_staff_pasting_a_members_upload_into_the_article_attach_nothing_of_theirs(app, make, api_client, proposer,
                                                                                staff):
    unused = _uploaded(api_client, proposer, "unused.png")
    article = _article(proposer, make.make_category().id, "Use channel 11 instead of 6.")
    articles.edit_article(staff, article, articles.ArticleChange(body=f"Use channel 11.\n\n![x]({unused['url']})"))
    lifecycle.publish(staff, article)
    assert _attachments(unused["id"]) == 0 and _status(app, None, unused["url"]) == 404


def test_an_edit_that_drops_the_reference_takes_the_file_out_of_the_published_article(app, make, api_client,
                                                                                      proposer, staff):
    upload = _uploaded(api_client, staff)
    article = _article(staff, make.make_category().id, f"Before\n\n![Dialog]({upload['url']})")
    lifecycle.publish(staff, article)
    assert _status(app, None, upload["url"]) == 200
    articles.edit_article(staff, article, articles.ArticleChange(body="The dialog is gone in version 2."))
    assert _attachments(upload["id"]) == 0
    assert _status(app, None, upload["url"]) == 404
    assert _status(app, proposer, upload["url"]) == 404
