"""A post's history shows what each edit changed, as a diff against the version after it, to those who
may see the history (the author and moderators), with the whole earlier text still at hand."""

from __future__ import annotations

from forum.models import User
from forum.services import posting, reading

FIRST = "Check the invoices page.\nThe second charge is a hold.\nIt disappears in a week."


def _get(client, login_as, user: User | None, path: str):
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    return (login_as(user) if user is not None else client).get(path)


def test_each_body_edit_is_shown_as_a_diff_against_the_next_version(make, client, login_as, clock_at):
    helper = make.make_user(username="helper")
    reply = make.make_reply(make.make_thread(), author=helper, body=FIRST)
    clock_at.advance(minutes=5)
    posting.edit_post(helper, reply, FIRST.replace("a week", "three days"))
    clock_at.advance(minutes=5)
    posting.edit_post(helper, reply, FIRST.replace("a week", "three days") + "\nAsk <script>x()</script> support.")
    response = _get(client, login_as, helper, f"/p/{reply.id}/history")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    newest, oldest = page.split("Before the edit by")[1:]
    assert "<ins>Ask &lt;script&gt;x()&lt;/script&gt; support.</ins>" in newest and "<script>x()" not in page
    assert "0 lines removed, 1 added" in newest and '<td class="diff-text">It disappears in three days.</td>' in newest
    assert "1 line removed, 1 added" in oldest
    assert '[removed: </span>a week<span class="visually-hidden">]</span></del>' in oldest
    assert '[added: </span>three days<span class="visually-hidden">]</span></ins>' in oldest
    assert "<summary>The whole text before this edit</summary>" in oldest and "It disappears in a week." in oldest


def test_a_retitled_question_shows_the_title_diff_beside_the_old_title(make, client, login_as):
    asker = make.make_user()
    thread = make.make_thread(author=asker, title="Charged twice for my plan")
    posting.update_thread(asker, thread, posting.ThreadChange(title="Charged twice for my plan in May"))
    page = _get(client, login_as, asker, f"/p/{reading.question_post(thread).id}/history").get_data(as_text=True)
    assert '<q class="revision-old">Charged twice for my plan</q>' in page
    assert 'Charged twice for my plan<ins><span class="visually-hidden">[added: </span> in May' in page


def test_the_diffs_keep_the_history_private_to_the_author_and_moderators(make, client, login_as):
    helper = make.make_user()
    reply = make.make_reply(make.make_thread(), author=helper, body=FIRST)
    posting.edit_post(helper, reply, "Removed my account number 4242.")
    for stranger in (make.make_user(), None):
        assert _get(client, login_as, stranger, f"/p/{reply.id}/history").status_code == 404
    page = _get(client, login_as, make.make_user(role="moderator"), f"/p/{reply.id}/history").get_data(as_text=True)
    assert "<ins>Removed my account number 4242.</ins>" in page
