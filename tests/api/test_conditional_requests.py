"""API reads carry ETags; a conditional GET with a matching tag gets 304 until the data changes."""

from __future__ import annotations


def test_a_read_gets_an_etag_and_a_matching_conditional_request_gets_304(api_client, make):
    thread = make.make_thread(title="Router keeps rebooting at night")
    client = api_client()
    first = client.get(f"/api/v1/threads/{thread.id}")
    assert first.status_code == 200 and first.headers["ETag"]
    assert {"Authorization", "Cookie"} <= set(first.headers["Vary"].replace(" ", "").split(","))
    again = client.get(f"/api/v1/threads/{thread.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    make.make_reply(thread, body="Turn off automatic firmware updates.")
    changed = client.get(f"/api/v1/threads/{thread.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_lists_and_other_callers_get_their_own_tags(api_client, make):
    make.make_thread()
    anonymous = api_client().get("/api/v1/threads")
    member = api_client(make.make_user()).get("/api/v1/threads")
    assert anonymous.headers["ETag"] and member.headers["ETag"]
    assert "private" in anonymous.headers["Cache-Control"]


def test_errors_and_writes_carry_no_etag(api_client, make):
    assert "ETag" not in api_client().get("/api/v1/threads/999999").headers
    thread = make.make_thread()
    posted = api_client(make.make_user()).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Try this."})
    assert posted.status_code == 201 and "ETag" not in posted.headers
