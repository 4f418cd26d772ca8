"""Notification emails through a real SMTP server: sent by the worker, with one-click unsubscribe."""

from __future__ import annotations

from forum.services import notifications, posting


def test_a_reply_emails_the_asker_with_a_working_one_click_unsubscribe(make, smtp_server, run_jobs):
    asker = make.make_user(username="carla", email="carla@example.com")
    thread = make.make_thread(author=asker, title="Bluetooth headset will not pair")
    posting.reply_to_thread(make.make_user(), thread, "Hold the power button for ten seconds.")
    assert smtp_server.messages == []  # nothing leaves inside the request

    run_jobs()

    [message] = [m for m in smtp_server.messages if m["To"] == "carla@example.com"]
    assert message["Subject"] == "Re: Bluetooth headset will not pair"
    assert "New reply: Bluetooth headset will not pair" in smtp_server.texts()[0]
    assert f"/t/{thread.id}/" in smtp_server.texts()[0]
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notifications.unsubscribe(unsubscribe.rsplit("/", 1)[1])
    assert asker.email_frequency == "off"


def test_nobody_is_emailed_about_their_own_reply(make, smtp_server, run_jobs):
    thread = make.make_thread()
    posting.reply_to_thread(thread.author, thread, "Update: it happens on Wi-Fi too.")
    run_jobs()
    assert smtp_server.messages == []
