"""Reviewer probe (r2): the separate worker process renders and sends a reply's notification email."""

from __future__ import annotations

import pytest

from tests.deployed.browser import Api
from tests.deployed.conftest import admin, category_id, logs_stay_clean, site, smtp  # noqa: F401
from tests.support.crash import wait_for

pytestmark = [pytest.mark.deployed, pytest.mark.real_clock]
PASSWORD = "Plenty-of-letters-2026"


def test_probe_deployed_worker_mails_reply_and_mention(site, smtp, category_id):  # noqa: F811
    asker = Api(site.base_url).sign_up("probe_asker", PASSWORD)
    helper = Api(site.base_url).sign_up("probe_helper", PASSWORD)
    Api(site.base_url).sign_up("probe_expert", PASSWORD)
    thread_id = asker.ask(category_id, "Probe: invoice PDF is blank", "Every invoice PDF I download is empty.")
    reply_id = helper.reply(thread_id, "Try another browser. @probe_expert have you seen this?")

    def mails():
        got = {}
        for message in list(smtp.messages):
            if message["To"] in ("probe_asker@example.org", "probe_expert@example.org"):
                got[message["To"]] = message
        return got if len(got) == 2 else None

    got = wait_for(mails, 30, "the worker to mail the reply and the mention")
    reply = got["probe_asker@example.org"]
    assert reply["Subject"] == "New reply: Probe: invoice PDF is blank"
    assert f"/t/{thread_id}/" in reply.get_body(preferencelist=("plain",)).get_content()
    assert f"#p{reply_id}" in reply.get_body(preferencelist=("plain",)).get_content()
    assert reply["List-Unsubscribe"].startswith("<") and "/unsubscribe/" in reply["List-Unsubscribe"]
    assert got["probe_expert@example.org"]["Subject"].endswith("mentioned you: Probe: invoice PDF is blank")
