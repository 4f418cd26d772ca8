"""The main journeys against the deployed site (tests/deployed/conftest.py): what a new member, the
people who help them, the support desk and an integration see over real HTTP.
"""

from __future__ import annotations

import pytest

from tests.deployed.browser import Api, Visitor, inbox_of
from tests.deployed.site import Site
from tests.support.crash import wait_for
from tests.support.receiver import Receiver

pytestmark = [pytest.mark.deployed, pytest.mark.real_clock]

PASSWORD = "Plenty-of-letters-2026"
INDEX_TIMEOUT_S = 30  # the worker polls every second; indexing one thread takes well under that


def test_a_new_member_asks_another_answers_search_finds_it_and_the_asker_accepts(site: Site, category_id):
    asker = Visitor(site.base_url)
    asker.sign_up("ana_asks", PASSWORD)
    thread_id = asker.ask(category_id, "Invoice shows my old billing address",
                          "Since I moved, every invoice still lists the previous flat. Where do I change it?")
    Api(site.base_url).sign_up("ben_helps", PASSWORD)
    helper = Visitor(site.base_url)
    helper.sign_in("ben_helps", PASSWORD)
    reply_id = helper.reply(thread_id, "Edit the billing profile under Account settings; past invoices can be "
                                       "reissued from each invoice page afterwards.")

    api = Api(site.base_url)
    # The separate worker process indexes the reply; both search front ends (in gunicorn) then find it.
    wait_for(lambda: thread_id in api.found_thread_ids("reissued"), INDEX_TIMEOUT_S,
             "the worker to index the reply so GET /api/v1/search finds it")
    results = Visitor(site.base_url).page("/search?q=reissued")
    assert f"/t/{thread_id}" in results and "Invoice shows my old billing address" in results

    page = asker.press(f"/t/{thread_id}", f"/p/{reply_id}/accept")
    assert "The reply by ben_helps is marked as the solution." in page
    thread = api.call("GET", f"/threads/{thread_id}").json()
    assert (thread["status"], thread["accepted_post_id"], thread["solved_by"]) == ("solved", reply_id, "community")


def test_an_escalated_thread_reaches_the_case_desk(site: Site, category_id, agent: Visitor, agent_api: Api):
    asker = Visitor(site.base_url)
    asker.sign_up("cleo_escalates", PASSWORD)
    thread_id = asker.ask(category_id, "Charged twice for the annual plan",
                          "Two identical charges appeared on my card this morning for one renewal.")
    page = asker.press(f"/t/{thread_id}", f"/t/{thread_id}/escalate", reason="The charge must be refunded.")
    assert "The support team has your question: case" in page

    desk = agent.page("/desk")
    assert "Charged twice for the annual plan" in desk
    cases = agent_api.call("GET", "/cases").json()
    [mine] = [item for item in cases["items"] if item["thread_id"] == thread_id]
    assert (mine["status"], mine["source"], mine["reason"]) == ("new", "customer", "The charge must be refunded.")
    case_page = agent.page(f"/desk/cases/{mine['id']}")
    assert "Charged twice for the annual plan" in case_page and "The charge must be refunded." in case_page


def test_a_webhook_the_admin_registers_arrives_signed_at_the_receiver(site: Site, category_id, admin: Visitor,
                                                                       receiver: Receiver):
    secret = "deployed-receiver-secret-0123456789"
    page = admin.press("/admin/webhooks", "/admin/webhooks", url=receiver.url,
                       events=["thread.created", "thread.escalated"], secret=secret, allow_private="y")
    assert f"Webhook to {receiver.url} is subscribed." in page

    member = Api(site.base_url).sign_up("dev_integrates", PASSWORD)
    thread_id = member.ask(category_id, "Export of last year's invoices as one file",
                           "Accounting needs every invoice of last year in a single download.")

    def delivered() -> list:
        return [r for r in receiver.accepted()
                if r.json["type"] == "thread.created" and r.json["data"]["thread"]["id"] == thread_id]

    request = wait_for(delivered, INDEX_TIMEOUT_S, "the worker to deliver thread.created to the receiver")[0]
    assert request.verify(secret)
    assert not request.verify("some-other-secret-of-enough-length")
    assert request.json["data"]["thread"]["title"] == "Export of last year's invoices as one file"
    assert request.headers["Horseshoe-Event-Id"] == request.json["id"]


def test_a_real_sized_log_is_attached_and_readers_download_exactly_it(site: Site, category_id, agent_api: Api):
    """Through gunicorn's real request streams: a 1.5 MB log, private until a post references it.

    Posted by an agent: a new member's first posts with attachments wait for review (tests/uploads).
    """
    member = agent_api
    log = b"".join(b"09:00:%02d router: DSL sync lost, retraining\n" % (n % 60) for n in range(36_000))
    answer = member.call("POST", "/uploads", files={"file": ("router.log", log, "text/plain")})
    assert answer.status_code == 201, answer.text
    upload = answer.json()
    assert (upload["size"], upload["content_type"]) == (len(log), "text/plain")
    assert Visitor(site.base_url).get(upload["url"]).status_code == 404  # not attached: the uploader's only

    thread_id = member.ask(category_id, "Router keeps losing the DSL sync every night",
                           f"The router log from last night: [router.log]({upload['url']})")
    download = Visitor(site.base_url).get(upload["url"])
    assert download.status_code == 200 and download.content == log
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert f"/t/{thread_id}" in Visitor(site.base_url).page(f"/t/{thread_id}")



def test_a_new_member_only_reads_until_the_mailed_link_is_followed(site: Site, category_id):
    """Sign-up to taking part: the worker mails the link; opening it only asks, pressing its button confirms."""
    member = Visitor(site.base_url)
    member.sign_up("gus_confirms", PASSWORD, confirm=False)
    question = {"category_id": str(category_id), "kind": "question", "title": "Router lights blink orange",
                "body": "Since this morning every light on the router blinks orange.", "tags": ""}
    refused = member.submit("/ask", question)
    assert refused.status_code == 403 and "Please confirm your email address first" in refused.text
    modem = {"category_id": category_id, "title": "Modem lost its settings after a power cut",
             "body": "After a power cut the modem forgot everything.", "tags": [], "kind": "question"}
    answer = Api(site.base_url).sign_in("gus_confirms", PASSWORD).call("POST", "/threads", json=modem)
    assert answer.status_code == 403
    assert answer.json()["type"] == "https://horseshoe.dev/problems/email-not-verified"

    link = inbox_of(site.base_url).confirmation_link("gus_confirms@example.org")
    assert "Confirm my email address" in member.page(link)  # a mail scanner opening it confirms nothing
    assert member.submit("/ask", question).status_code == 403
    assert "gus_confirms@example.org is confirmed" in member.press(link, link)
    assert member.ask(category_id, question["title"], question["body"]) > 0
    assert Api(site.base_url).sign_in("gus_confirms", PASSWORD).ask(category_id, modem["title"], modem["body"]) > 0
